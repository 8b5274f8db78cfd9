//! The whole conformance suite on the fake served over a unix socket: every
//! case through `RemoteDriver`, one fresh server-side backend per case.

use std::process::ExitCode;
use std::sync::Arc;

use driver_remote::client::RemoteFactory;
use driver_remote::endpoint::{Endpoint, Listener};
use driver_remote::fake::FakeSource;
use driver_remote::server::{routes, Registry};

fn main() -> ExitCode {
    let server = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("cannot start the server's runtime: {error}");
            return ExitCode::from(2);
        }
    };
    let dir = match tempfile::tempdir() {
        Ok(dir) => dir,
        Err(error) => {
            eprintln!("cannot make a temporary directory: {error}");
            return ExitCode::from(2);
        }
    };
    let endpoint = Endpoint::Unix(dir.path().join("compute.sock"));
    let started = server.block_on(async {
        let registry = Registry::new(Arc::new(FakeSource::new()))
            .await
            .map_err(|e| e.to_string())?;
        let listener = Listener::bind(&endpoint, None)
            .await
            .map_err(|e| e.to_string())?;
        Ok::<_, String>((registry, listener))
    });
    let (registry, listener) = match started {
        Ok(started) => started,
        Err(error) => {
            eprintln!("cannot start the server: {error}");
            return ExitCode::from(2);
        }
    };
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    server.spawn(listener.serve(routes(registry), async {
        let _ = stopped.await;
    }));
    let code = conformance::harness::run_suite(Arc::new(RemoteFactory::new(endpoint)));
    let _ = stop.send(());
    code
}
