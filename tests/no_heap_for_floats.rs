//! A plain-float function's generated gradient allocates nothing on the heap:
//! the pullback is a closure on the stack, adjoints are `Option<f64>`.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use autograd::prelude::*;

struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::SeqCst);
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
    // Warm up anything the test harness allocates lazily.
    let _ = outer::value_and_grad(0.3, 0.7);
    let before = ALLOCATIONS.load(Ordering::SeqCst);
    let mut acc = 0.0;
    for i in 0..100 {
        let (v, (gx, gy)) = outer::value_and_grad(0.3 + i as f64 * 1e-3, 0.7);
        let (_, pb) = inner::vjp(0.1, 0.2);
        let (hx, hy) = pb(&1.0);
        acc += v + gx + gy + hx + hy;
        let graph = outer::forward(0.5, 0.25);
        acc += graph.item();
        graph.backward();
    }
    let after = ALLOCATIONS.load(Ordering::SeqCst);
    assert!(acc.is_finite());
    assert_eq!(after - before, 0, "the generated gradient allocated");
}
