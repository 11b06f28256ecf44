//! What generated code needs to know of each operation, declared beside
//! its rule: the name users write, the rule's trait, which arguments are
//! differentiated, what each backward function reads, and what else the
//! rule can do. `#[differentiable]` has one line per operation mirroring
//! these; `tests/op_table.rs` fails when the two disagree.

/// Something a backward function reads, in argument order (the output
/// gradient `d` always comes last).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Reads {
    /// The value of differentiated operand `i` (0 = receiver or left operand).
    Value(usize),
    /// Only the shape (the [`Meta`](crate::value::Meta)) of operand `i`.
    Meta(usize),
    /// The operation's output.
    Output,
    /// Constant argument `i`.
    Const(usize),
    /// The shapes of all operands, as a slice (variadic rules).
    AllMetas,
    /// The position of the operand whose gradient is computed (variadic rules).
    Position,
}

/// Whether an argument after the receiver is differentiated or a constant.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ArgKind {
    Operand,
    Const,
}

/// What a rule can do besides `fwd` and `revK`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Cap {
    /// One operand, the output has its shape.
    Elementwise,
    /// `fwd_owned(x, ..)` computes in the buffer of an operand nothing else reads.
    Consumes,
    /// `revK_owned` takes the output's gradient by value (`K` given).
    OwnedGrad(usize),
    /// `revs_owned(.., d, needs)` gives both gradients from one owned `d`.
    BothOwned,
    /// The backward adds into the operand's gradient in place (`revK_into`).
    Into,
    /// The operands come as one slice; `rev(.., k, d)` gives part `k`'s gradient.
    Variadic,
    /// A cheap view of its operand: the backward may take it again.
    View,
    /// Operand `K`'s gradient is the output's, unchanged.
    Passes(usize),
    /// `rev0_taking(x, ..)` takes the kept operand by value.
    TakesOperand,
    /// `a.op(&b.t())` is the named rule.
    FuseTransposedArg(&'static str),
    /// `(x * x).op(..)` is the named rule.
    FuseSquaredReceiver(&'static str),
    /// `x op x` has `Rule::rev_twice_owned(x, d)` in the named rule.
    FuseSameOperands(&'static str),
}

/// One operation.
#[derive(Clone, Copy, Debug)]
pub struct OpDecl {
    /// What users write (a method, or an operator's std trait method such
    /// as `add`); fused and built-in forms have names of their own.
    pub name: &'static str,
    /// The rule's name under `rules::`.
    pub rule: &'static str,
    pub args: &'static [ArgKind],
    /// For each differentiated operand, what its backward function reads
    /// (variadic rules: one entry, for every part).
    pub reads: &'static [&'static [Reads]],
    pub caps: &'static [Cap],
}

impl OpDecl {
    /// The declaration in the canonical form both tables are compared in.
    pub fn canonical(&self) -> String {
        let args: Vec<&str> = self
            .args
            .iter()
            .map(|a| match a {
                ArgKind::Operand => "operand",
                ArgKind::Const => "const",
            })
            .collect();
        let reads: Vec<String> = self
            .reads
            .iter()
            .map(|r| {
                let items: Vec<String> = r
                    .iter()
                    .map(|x| match x {
                        Reads::Value(i) => format!("value{i}"),
                        Reads::Meta(i) => format!("meta{i}"),
                        Reads::Output => "output".into(),
                        Reads::Const(i) => format!("const{i}"),
                        Reads::AllMetas => "metas".into(),
                        Reads::Position => "position".into(),
                    })
                    .collect();
                format!("[{}]", items.join(" "))
            })
            .collect();
        let mut caps: Vec<(usize, String)> = self
            .caps
            .iter()
            .map(|c| match c {
                Cap::Elementwise => (0, "elementwise".to_string()),
                Cap::Consumes => (1, "consumes".into()),
                Cap::BothOwned => (2, "both_owned".into()),
                Cap::Into => (3, "into".into()),
                Cap::Variadic => (4, "variadic".into()),
                Cap::View => (5, "view".into()),
                Cap::TakesOperand => (6, "takes_operand".into()),
                Cap::OwnedGrad(k) => (10 + k, format!("owned_grad{k}")),
                Cap::Passes(k) => (20 + k, format!("passes{k}")),
                Cap::FuseTransposedArg(n) => (30, format!("fuse_transposed_arg={n}")),
                Cap::FuseSquaredReceiver(n) => (31, format!("fuse_squared_receiver={n}")),
                Cap::FuseSameOperands(n) => (32, format!("fuse_same_operands={n}")),
            })
            .collect();
        caps.sort();
        let caps: Vec<String> = caps.into_iter().map(|(_, c)| c).collect();
        format!(
            "{} {} args({}) reads({}) caps({})",
            self.name,
            self.rule,
            args.join(" "),
            reads.join(" "),
            caps.join(" ")
        )
    }
}

/// An elementwise function whose backward reads its output or its input.
pub const fn elementwise(name: &'static str, rule: &'static str, reads_output: bool) -> OpDecl {
    OpDecl {
        name,
        rule,
        args: &[],
        reads: if reads_output {
            &[&[Reads::Output]]
        } else {
            &[&[Reads::Value(0)]]
        },
        caps: &[Cap::Elementwise, Cap::Consumes, Cap::OwnedGrad(0)],
    }
}

/// Every operation with a derivative rule, family by family.
pub fn declarations() -> Vec<&'static OpDecl> {
    use super::*;
    [
        arith::DECLS,
        unary::ELEMENTWISE,
        unary::POWERS,
        reduce::DECLS,
        linalg::DECLS,
        shape::DECLS,
        softmax::DECLS,
        index::DECLS,
        select::DECLS,
        float_fns::DECLS,
        square_sum::DECLS,
        join::DECLS,
        pack::DECLS,
        update::DECLS,
    ]
    .into_iter()
    .flatten()
    .collect()
}
