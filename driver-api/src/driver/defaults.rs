//! The default body of every optional method of
//! [`ComputeDriver`](crate::ComputeDriver).

/// The default body of an optional method: `NotSupported` for it.
macro_rules! unsupported {
    ($self:ident, $method:ident) => {
        Err(DriverError::not_supported(
            DriverMethod::$method,
            $self.driver_name(),
        ))
    };
}
