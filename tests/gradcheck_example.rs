//! Runs the logic of `examples/gradcheck.rs` and checks what it reports.

#[allow(dead_code)]
#[path = "../examples/gradcheck.rs"]
mod example;

#[test]
fn the_example_passes_the_right_derivatives_and_catches_the_wrong_one() {
    let out = example::run().expect("the example runs");
    assert!(out.contains("gradient check (central4"), "{out}");
    assert!(out.contains("): PASS"), "{out}");
    assert!(out.contains("hessian: PASS"), "{out}");
    assert!(out.contains("direction: PASS"), "{out}");
    assert!(out.contains("hand-written gradient: PASS"), "{out}");
    assert!(
        out.contains("hand-written gradient with a mistake: FAIL in ∂f/∂x[1]"),
        "{out}"
    );
    assert_eq!(out.matches("step study").count(), 3, "{out}");
}
