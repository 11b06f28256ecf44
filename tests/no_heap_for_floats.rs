//! A plain-float function's generated gradient allocates nothing on the heap:
//! the pullback is a closure on the stack, adjoints are `Option<f64>`.
//!
//! Only the test's own thread is counted: the test harness's main thread may
//! allocate while the test runs (CI once saw one such allocation), and that is
//! not the generated code's doing.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use autograd::prelude::*;

struct Counting;

thread_local! {
    /// Allocations made by the current thread.
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

/// How many allocations this thread has made so far.
fn allocations() -> usize {
    ALLOCATIONS.with(Cell::get)
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // `try_with`: the slot may already be gone while a thread exits.
        let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
        System.alloc(layout)
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout)
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

#[differentiable]
fn inner(x: f64, y: f64) -> f64 {
    (x * y).sin() + x.exp() / (1.0 + y * y)
}

#[differentiable]
fn outer(x: f64, y: f64) -> f64 {
    let a = inner(x, y);
    let b = a.tanh() * x - y.powi(3);
    b * b
}

#[test]
fn float_gradients_do_not_allocate() {
    // Warm up every entry point once, so that nothing lazily initialised counts.
    let _ = outer::value_and_grad(0.3, 0.7);
    let _ = inner::vjp(0.1, 0.2).1(&1.0);
    // Floats are not leaves: backward is refused, without allocating.
    assert!(outer::forward(0.5, 0.25).try_backward(&1.0).is_err());
    let before = allocations();
    let mut acc = 0.0;
    for i in 0..100 {
        let (v, (gx, gy)) = outer::value_and_grad(0.3 + i as f64 * 1e-3, 0.7);
        let (_, pb) = inner::vjp(0.1, 0.2);
        let (hx, hy) = pb(&1.0);
        acc += v + gx + gy + hx + hy;
        let graph = outer::forward(0.5, 0.25);
        acc += graph.item();
        let _ = graph.try_backward(&1.0);
    }
    let after = allocations();
    assert!(acc.is_finite());
    assert_eq!(after - before, 0, "the generated gradient allocated");
}
