//! The future every `ComputeDriver` method of the fake awaits: its outcome,
//! already decided, when no fault or latency is armed (the usual case), or the
//! armed path (latency, faults) boxed out of line.
//!
//! Keeping the common case a plain value, rather than a chain of nested
//! `async fn` state machines, keeps each call's future small: `async_trait`
//! boxes (and so copies) the whole future on every call.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use driver_api::{DriverError, DriverMethod, DriverResult};

/// One call's outcome, ready or pending on the armed path.
pub(crate) enum Call<'a, T> {
    /// Decided at the call (taken on the first poll), for this method.
    Ready(DriverMethod, Option<DriverResult<T>>),
    /// Waiting for injected latency or faults, then running the change.
    Armed(Pin<Box<dyn Future<Output = DriverResult<T>> + Send + 'a>>),
}

// Nothing in a `Call` is ever pinned in place: the outcome is moved out, the
// armed future is pinned on the heap.
impl<T> Unpin for Call<'_, T> {}

impl<T> Future for Call<'_, T> {
    type Output = DriverResult<T>;

    #[inline]
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match &mut *self {
            Self::Ready(method, outcome) => Poll::Ready(outcome.take().unwrap_or_else(|| {
                Err(DriverError::invalid_input(
                    *method,
                    "a driver call's future was polled after it completed",
                ))
            })),
            Self::Armed(future) => future.as_mut().poll(cx),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_ready_call_yields_its_outcome_once() {
        let mut call: Call<'_, u8> = Call::Ready(DriverMethod::GetInfo, Some(Ok(7)));
        assert_eq!((&mut call).await.ok(), Some(7));
        assert!((&mut call).await.is_err());
    }

    #[tokio::test]
    async fn an_armed_call_runs_its_future() {
        let call: Call<'_, u8> = Call::Armed(Box::pin(async {
            tokio::task::yield_now().await;
            Ok(9)
        }));
        assert_eq!(call.await.ok(), Some(9));
    }
}
