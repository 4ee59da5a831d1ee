//! One way to stop: Ctrl-C or SIGTERM.

/// Completes on Ctrl-C, or on SIGTERM where there are signals, and logs which it was.
/// Returns `"interrupt"` or `"terminate"`.
pub async fn signal() -> &'static str {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    let name = tokio::select! {
        () = ctrl_c => "interrupt",
        () = terminate => "terminate",
    };
    tracing::info!(event = "shutdown_requested", name = name);
    name
}
