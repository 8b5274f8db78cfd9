//! The little XML the JUnit report needs: elements with attributes and
//! text, escaped, and nothing XML 1.0 forbids.

use std::fmt::Write;

/// An XML document under construction, indented two spaces per level.
pub(super) struct XmlWriter {
    out: String,
    open: Vec<&'static str>,
}

impl XmlWriter {
    /// A document with its declaration.
    pub(super) fn new() -> Self {
        Self {
            out: String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"),
            open: Vec::new(),
        }
    }

    fn start_tag(&mut self, name: &str, attributes: &[(&str, &str)]) {
        self.out.push_str(&"  ".repeat(self.open.len()));
        self.out.push('<');
        self.out.push_str(name);
        for (key, value) in attributes {
            let _ = write!(self.out, " {key}=\"{}\"", escape_attribute(value));
        }
    }

    /// Opens `<name attributes>`; [`end`](Self::end) closes it.
    pub(super) fn start(&mut self, name: &'static str, attributes: &[(&str, &str)]) {
        self.start_tag(name, attributes);
        self.out.push_str(">\n");
        self.open.push(name);
    }

    /// Writes `<name attributes/>`.
    pub(super) fn empty(&mut self, name: &str, attributes: &[(&str, &str)]) {
        self.start_tag(name, attributes);
        self.out.push_str("/>\n");
    }

    /// Writes `<name attributes>text</name>` (the empty form without text).
    pub(super) fn text(&mut self, name: &str, attributes: &[(&str, &str)], text: &str) {
        if text.is_empty() {
            return self.empty(name, attributes);
        }
        self.start_tag(name, attributes);
        let _ = writeln!(self.out, ">{}</{name}>", escape(text));
    }

    /// Closes the innermost open element.
    pub(super) fn end(&mut self) {
        if let Some(name) = self.open.pop() {
            self.out.push_str(&"  ".repeat(self.open.len()));
            let _ = writeln!(self.out, "</{name}>");
        }
    }

    /// The document, every open element closed.
    pub(super) fn finish(mut self) -> String {
        while !self.open.is_empty() {
            self.end();
        }
        self.out
    }
}

/// `text` escaped for an attribute value or element content; characters
/// XML 1.0 cannot hold (control characters other than tab and line breaks,
/// U+FFFE, U+FFFF) are written as `\u{..}`.
pub(super) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if c < ' ' || c == '\u{FFFE}' || c == '\u{FFFF}' => {
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out
}

/// `text` escaped for an attribute value: as [`escape`], and tab and line
/// breaks as character references, which a reader keeps (written as such, a
/// reader's attribute normalisation turns them into spaces, and a multi-line
/// failure message would arrive on one line).
fn escape_attribute(text: &str) -> String {
    escape(text)
        .replace('\t', "&#9;")
        .replace('\n', "&#10;")
        .replace('\r', "&#13;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_drops_what_xml_cannot_hold() {
        assert_eq!(escape("a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c&apos;");
        assert_eq!(escape("nul\0bell\u{7}"), "nul\\u{0}bell\\u{7}");
        assert_eq!(escape("tab\tline\n"), "tab\tline\n");
    }

    #[test]
    fn attributes_keep_their_line_breaks() {
        assert_eq!(escape_attribute("a\tb\nc\r<"), "a&#9;b&#10;c&#13;&lt;");
        let mut xml = XmlWriter::new();
        xml.empty("failure", &[("message", "expected: x\ngot: y")]);
        assert!(xml.finish().contains("message=\"expected: x&#10;got: y\""));
    }

    #[test]
    fn nests_and_closes() {
        let mut xml = XmlWriter::new();
        xml.start("a", &[("k", "v&")]);
        xml.text("b", &[], "x<y");
        xml.empty("c", &[("n", "1")]);
        let text = xml.finish();
        assert!(
            text.ends_with("<a k=\"v&amp;\">\n  <b>x&lt;y</b>\n  <c n=\"1\"/>\n</a>\n"),
            "{text}"
        );
    }
}
