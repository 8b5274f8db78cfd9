//! Where a server listens and a client connects: `unix:PATH` or
//! `tcp:HOST:PORT`, with the security each needs.
//!
//! - A unix socket is created mode 0600 (bound under a temporary name,
//!   restricted, then renamed into place, so its path never exists with
//!   looser rights); an existing path is refused, never replaced.
//! - A client connects to a unix socket only when it is a socket owned by
//!   this process's user or root and not writable by others
//!   ([`EndpointError::UntrustedSocket`]): anyone else's socket could be
//!   serving anything.
//! - TCP is TLS only (rustls): a server needs a certificate and key, and
//!   with a client CA it asks every client for a certificate signed by it
//!   (mutual TLS); a client needs the CA that signed the server's
//!   certificate, and offers its own when it has one.

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

mod unix_socket;

use hyper_util::rt::TokioIo;
use tokio::net::{TcpListener, UnixListener, UnixStream};
use tokio_stream::wrappers::{TcpListenerStream, UnixListenerStream};
use tonic::service::Routes;
use tonic::transport::{
    Certificate, Channel, ClientTlsConfig, Identity, Server, ServerTlsConfig, Uri,
};

/// How long a client waits for a connection.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// An endpoint could not be parsed, bound or reached.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EndpointError {
    /// Not `unix:PATH` nor `tcp:HOST:PORT`.
    #[error("bad endpoint {0:?}: expected unix:PATH or tcp:HOST:PORT")]
    Parse(String),
    /// TCP without TLS.
    #[error("{0}: TCP is served and reached over TLS only (give a certificate and key, or a CA)")]
    PlainTcp(Endpoint),
    /// A socket path that already exists.
    #[error("{0} exists: remove it first (a socket is never replaced)")]
    Exists(PathBuf),
    /// A unix socket the client does not trust: owned by another user than
    /// this process's (or root), or writable by others.
    #[error(
        "{path} is not trusted: owned by uid {owner} with mode {mode:o}; a socket must \
         belong to this user (uid {me}) or root, and not be writable by others"
    )]
    UntrustedSocket {
        /// The socket.
        path: PathBuf,
        /// Its owner's uid.
        owner: u32,
        /// Its permission bits.
        mode: u32,
        /// This process's effective uid.
        me: u32,
    },
    /// A system call failed.
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: String,
        /// Why it failed.
        #[source]
        source: std::io::Error,
    },
    /// The transport failed (TLS setup, connection, serving).
    #[error("{context}: {source}")]
    Transport {
        /// What was being done.
        context: String,
        /// Why it failed.
        #[source]
        source: tonic::transport::Error,
    },
}

pub(crate) fn io(context: impl Into<String>) -> impl FnOnce(std::io::Error) -> EndpointError {
    let context = context.into();
    move |source| EndpointError::Io { context, source }
}

fn transport(context: impl Into<String>) -> impl FnOnce(tonic::transport::Error) -> EndpointError {
    let context = context.into();
    move |source| EndpointError::Transport { context, source }
}

/// Where to listen or connect.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Endpoint {
    /// A unix socket.
    Unix(PathBuf),
    /// A TCP address (TLS only).
    Tcp {
        /// Host name or address (`[::1]` for IPv6).
        host: String,
        /// Port (0 when listening: any free port).
        port: u16,
    },
}

impl FromStr for Endpoint {
    type Err = EndpointError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let bad = || EndpointError::Parse(text.to_owned());
        if let Some(path) = text.strip_prefix("unix:") {
            if path.is_empty() {
                return Err(bad());
            }
            return Ok(Self::Unix(PathBuf::from(path)));
        }
        let rest = text.strip_prefix("tcp:").ok_or_else(bad)?;
        let (host, port) = rest.rsplit_once(':').ok_or_else(bad)?;
        if host.is_empty() {
            return Err(bad());
        }
        Ok(Self::Tcp {
            host: host.to_owned(),
            port: port.parse().map_err(|_| bad())?,
        })
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unix(path) => write!(f, "unix:{}", path.display()),
            Self::Tcp { host, port } => write!(f, "tcp:{host}:{port}"),
        }
    }
}

/// A server's TLS: its identity, and the CA of its clients for mutual TLS.
#[derive(Clone, Debug)]
pub struct ServerTls {
    identity: Identity,
    client_ca: Option<Certificate>,
}

impl ServerTls {
    /// From PEM certificate (chain) and key.
    pub fn new(cert_pem: impl AsRef<[u8]>, key_pem: impl AsRef<[u8]>) -> Self {
        Self {
            identity: Identity::from_pem(cert_pem, key_pem),
            client_ca: None,
        }
    }

    /// Mutual TLS: every client must present a certificate signed by this CA.
    pub fn with_client_ca(mut self, ca_pem: impl AsRef<[u8]>) -> Self {
        self.client_ca = Some(Certificate::from_pem(ca_pem));
        self
    }

    /// From PEM files.
    pub fn from_files(
        cert: &Path,
        key: &Path,
        client_ca: Option<&Path>,
    ) -> Result<Self, EndpointError> {
        let read =
            |path: &Path| std::fs::read(path).map_err(io(format!("reading {}", path.display())));
        let mut tls = Self::new(read(cert)?, read(key)?);
        if let Some(ca) = client_ca {
            tls = tls.with_client_ca(read(ca)?);
        }
        Ok(tls)
    }

    fn config(&self) -> ServerTlsConfig {
        let config = ServerTlsConfig::new().identity(self.identity.clone());
        match &self.client_ca {
            Some(ca) => config
                .client_ca_root(ca.clone())
                .client_auth_optional(false),
            None => config,
        }
    }
}

/// A client's TLS: the CA that signed the server, the name the server's
/// certificate carries, and the client's own identity for mutual TLS.
#[derive(Clone, Debug)]
pub struct ClientTls {
    ca: Certificate,
    domain: Option<String>,
    identity: Option<Identity>,
}

impl ClientTls {
    /// Trusting only `ca_pem`.
    pub fn new(ca_pem: impl AsRef<[u8]>) -> Self {
        Self {
            ca: Certificate::from_pem(ca_pem),
            domain: None,
            identity: None,
        }
    }

    /// The name to check the server's certificate against (default: the host).
    pub fn with_domain(mut self, domain: impl Into<String>) -> Self {
        self.domain = Some(domain.into());
        self
    }

    /// Presents this certificate and key (mutual TLS).
    pub fn with_identity(mut self, cert_pem: impl AsRef<[u8]>, key_pem: impl AsRef<[u8]>) -> Self {
        self.identity = Some(Identity::from_pem(cert_pem, key_pem));
        self
    }

    /// From PEM files.
    pub fn from_files(ca: &Path, identity: Option<(&Path, &Path)>) -> Result<Self, EndpointError> {
        let read =
            |path: &Path| std::fs::read(path).map_err(io(format!("reading {}", path.display())));
        let mut tls = Self::new(read(ca)?);
        if let Some((cert, key)) = identity {
            tls = tls.with_identity(read(cert)?, read(key)?);
        }
        Ok(tls)
    }
}

/// Connects to `endpoint` (TCP needs `tls`).
pub async fn connect(
    endpoint: &Endpoint,
    tls: Option<&ClientTls>,
) -> Result<Channel, EndpointError> {
    let context = format!("connecting to {endpoint}");
    match endpoint {
        Endpoint::Unix(path) => {
            unix_socket::check_trusted(path)?;
            let path = path.clone();
            // A reconnection checks the socket again: a socket replaced by
            // another user's is refused then too.
            let connector = tower::service_fn(move |_: Uri| {
                let path = path.clone();
                async move {
                    unix_socket::check_trusted(&path).map_err(std::io::Error::other)?;
                    Ok::<_, std::io::Error>(TokioIo::new(UnixStream::connect(path).await?))
                }
            });
            tonic::transport::Endpoint::from_static("http://localhost")
                .connect_timeout(CONNECT_TIMEOUT)
                .connect_with_connector(connector)
                .await
                .map_err(transport(context))
        }
        Endpoint::Tcp { host, port } => {
            let tls = tls.ok_or_else(|| EndpointError::PlainTcp(endpoint.clone()))?;
            let domain = tls.domain.clone().unwrap_or_else(|| {
                host.trim_start_matches('[')
                    .trim_end_matches(']')
                    .to_owned()
            });
            let mut config = ClientTlsConfig::new()
                .ca_certificate(tls.ca.clone())
                .domain_name(domain);
            if let Some(identity) = &tls.identity {
                config = config.identity(identity.clone());
            }
            tonic::transport::Endpoint::from_shared(format!("https://{host}:{port}"))
                .map_err(transport(context.clone()))?
                .connect_timeout(CONNECT_TIMEOUT)
                .tls_config(config)
                .map_err(transport(context.clone()))?
                .connect()
                .await
                .map_err(transport(context))
        }
    }
}

/// How many connections [`connect_pool`] opens by default: one per core of
/// this machine (an HTTP/2 connection is driven by one task on each side, so
/// calls in flight on one connection use one core per side), at most 8.
pub fn default_connections() -> usize {
    std::thread::available_parallelism().map_or(1, |cores| cores.get().min(8))
}

/// Opens `connections` separate connections to `endpoint` (at least one),
/// for a [`RemoteDriver`](crate::client::RemoteDriver) to take in turn.
pub async fn connect_pool(
    endpoint: &Endpoint,
    tls: Option<&ClientTls>,
    connections: usize,
) -> Result<Vec<Channel>, EndpointError> {
    let mut channels = Vec::with_capacity(connections.max(1));
    for _ in 0..connections.max(1) {
        channels.push(connect(endpoint, tls).await?);
    }
    Ok(channels)
}

/// A bound endpoint, ready to serve.
#[derive(Debug)]
pub struct Listener {
    bound: Bound,
    tls: Option<ServerTls>,
}

#[derive(Debug)]
enum Bound {
    Unix(UnixListener, SocketFile),
    Tcp(TcpListener),
}

/// Removes the socket file when the server stops.
#[derive(Debug)]
struct SocketFile(PathBuf);

impl Drop for SocketFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

impl Listener {
    /// Binds `endpoint`: a unix socket mode 0600, or TCP with `tls`. A
    /// certificate or key that TLS cannot use is refused here, before
    /// anything is bound (not once serving starts).
    pub async fn bind(endpoint: &Endpoint, tls: Option<ServerTls>) -> Result<Self, EndpointError> {
        if let Some(tls) = &tls {
            Server::builder()
                .tls_config(tls.config())
                .map_err(transport("setting up TLS"))?;
        }
        let bound = match endpoint {
            Endpoint::Unix(path) => {
                let listener = unix_socket::bind_private(path)?;
                Bound::Unix(listener, SocketFile(path.clone()))
            }
            Endpoint::Tcp { host, port } => {
                if tls.is_none() {
                    return Err(EndpointError::PlainTcp(endpoint.clone()));
                }
                let address = format!("{}:{port}", host);
                let listener = TcpListener::bind(&address)
                    .await
                    .map_err(io(format!("binding {endpoint}")))?;
                Bound::Tcp(listener)
            }
        };
        Ok(Self { bound, tls })
    }

    /// Where it listens (a TCP port 0 resolved to the real one).
    pub fn local_endpoint(&self) -> Result<Endpoint, EndpointError> {
        match &self.bound {
            Bound::Unix(_, file) => Ok(Endpoint::Unix(file.0.clone())),
            Bound::Tcp(listener) => {
                let address = listener
                    .local_addr()
                    .map_err(io("reading the bound address"))?;
                Ok(Endpoint::Tcp {
                    host: match address.ip() {
                        std::net::IpAddr::V6(ip) => format!("[{ip}]"),
                        std::net::IpAddr::V4(ip) => ip.to_string(),
                    },
                    port: address.port(),
                })
            }
        }
    }

    /// Serves `routes` until `shutdown` completes; the socket file goes with it.
    pub async fn serve(
        self,
        routes: Routes,
        shutdown: impl std::future::Future<Output = ()> + Send,
    ) -> Result<(), EndpointError> {
        let mut server = Server::builder();
        if let Some(tls) = &self.tls {
            server = server
                .tls_config(tls.config())
                .map_err(transport("setting up TLS"))?;
        }
        let router = server.add_routes(routes);
        match self.bound {
            Bound::Unix(listener, file) => {
                let served = router
                    .serve_with_incoming_shutdown(UnixListenerStream::new(listener), shutdown)
                    .await;
                drop(file);
                served.map_err(transport("serving"))
            }
            Bound::Tcp(listener) => router
                .serve_with_incoming_shutdown(TcpListenerStream::new(listener), shutdown)
                .await
                .map_err(transport("serving")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_parse_and_print() {
        for text in [
            "unix:/run/compute.sock",
            "tcp:127.0.0.1:7070",
            "tcp:[::1]:0",
        ] {
            let endpoint: Endpoint = text.parse().unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!(endpoint.to_string(), text);
        }
        for bad in [
            "",
            "unix:",
            "tcp:host",
            "tcp::80",
            "tcp:host:http",
            "http://x",
            "tcp:h:70000",
        ] {
            assert!(bad.parse::<Endpoint>().is_err(), "{bad} parsed");
        }
    }
}
