//! A call that waits on the network (Redis), on a small runtime of its
//! own (in-process calls use `chatroute::runtime::ready`). A Redis state's
//! connection lives on the runtime of its first call: use one state within
//! one such call.

pub(crate) fn waited<F: Future>(call: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime").block_on(call)
}
