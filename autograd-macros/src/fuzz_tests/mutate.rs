//! Token-level mutations of seed functions.
//!
//! Mutations work on [`Tree`]s, so delimiters always stay balanced (rustc
//! only passes balanced token streams to a macro); the mutated trees are
//! printed and lexed again, and a result that no longer lexes (a stray `'`,
//! say) is skipped.

use proc_macro2::Delimiter;

use super::rng::Rng;
use super::tree::{self, Tree};

/// Keywords and reserved words, for replacing identifiers.
const KEYWORDS: &[&str] = &[
    "as",
    "async",
    "await",
    "break",
    "const",
    "continue",
    "crate",
    "dyn",
    "else",
    "enum",
    "extern",
    "false",
    "fn",
    "for",
    "if",
    "impl",
    "in",
    "let",
    "loop",
    "match",
    "mod",
    "move",
    "mut",
    "pub",
    "ref",
    "return",
    "self",
    "Self",
    "static",
    "struct",
    "super",
    "trait",
    "true",
    "type",
    "unsafe",
    "use",
    "where",
    "while",
    "abstract",
    "become",
    "box",
    "do",
    "final",
    "macro",
    "override",
    "priv",
    "typeof",
    "unsized",
    "virtual",
    "yield",
    "try",
    "gen",
    "union",
    "macro_rules",
    "_",
];

/// Snippets inserted at random places (each must lex on its own).
const SNIPPETS: &[&str] = &[
    "break",
    "continue",
    "return",
    "'a:",
    "'a",
    "break 'a",
    "continue 'a",
    "break 'a x",
    ";",
    ";;",
    ",",
    "?",
    ".await",
    "unsafe",
    "async",
    "move",
    "mut",
    "&",
    "&mut",
    "*",
    "-",
    "!",
    "=",
    "==",
    "+=",
    "..",
    "..=",
    "=>",
    "->",
    "::",
    ":",
    "#",
    "#[no_grad]",
    "#[inline]",
    "#![allow(x)]",
    "let",
    "let y =",
    "let mut y",
    "if",
    "else",
    "match",
    "loop",
    "while",
    "for",
    "in",
    "fn",
    "x",
    "y",
    "self",
    "Self",
    "crate",
    "super",
    "r#fn",
    "r#match",
    "r#x",
    "_",
    "1.0",
    "0",
    "-1.0",
    "1e308",
    "2.0f32",
    "0x10",
    "\"s\"",
    "'c'",
    "b'x'",
    "true",
    "as f64",
    "as usize",
    ".sin()",
    ".clone()",
    ".0",
    "[0]",
    "[1..3]",
    "()",
    "{}",
    "[]",
    "(x)",
    "{ x }",
    "{ break }",
    "|| x",
    "|t| t * x",
    "vec![x]",
    "println!(\"{}\", x)",
    "assert!(x > 0.0)",
    "x?",
    "return x;",
    "'outer: loop { break 'outer; }",
    "'b: { break 'b x; }",
    "let (a, b) = (b, a);",
    "(a, b) = (b, a);",
    "let z;",
    "z = x;",
    "where A: Float",
    "<A: Float>",
    "<'a>",
    "dyn",
    "impl",
    "struct S;",
    "fn g() {}",
    "mod m {}",
    "use std::f64;",
    "const K: f64 = 1.0;",
];

/// Literals for replacing literals.
const LITERALS: &[&str] = &[
    "0",
    "1",
    "2.0",
    "-1.0",
    "0.5",
    "1e-9",
    "1e400",
    "f64::NAN",
    "1_000",
    "0x1f",
    "0b1",
    "1u8",
    "3.0f32",
    "1.0f64",
    "\"\"",
    "\"x\"",
    "r\"raw\"",
    "'x'",
    "b'x'",
    "b\"bytes\"",
    "c\"c\"",
    "true",
    "false",
];

/// The lexed snippet, keyword and literal tables, built once per run.
pub struct Vocabulary {
    snippets: Vec<Vec<Tree>>,
    literals: Vec<Vec<Tree>>,
}

impl Vocabulary {
    pub fn new() -> Vocabulary {
        let lex = |table: &[&str]| -> Vec<Vec<Tree>> {
            table.iter().filter_map(|s| tree::parse(s)).collect()
        };
        Vocabulary {
            snippets: lex(SNIPPETS),
            literals: lex(LITERALS),
        }
    }
}

/// Applies one to five random mutations to `seed` (donor trees come from
/// `other`, another seed); `None` if the result is empty.
pub fn mutate(rng: &mut Rng, vocab: &Vocabulary, seed: &[Tree], other: &[Tree]) -> Option<String> {
    let mut trees = seed.to_vec();
    let mut names = Vec::new();
    tree::idents(seed, &mut names);
    let rounds = 1 + rng.below(3) + usize::from(rng.chance(20)) * rng.below(3);
    for _ in 0..rounds {
        let lists = tree::list_count(&trees);
        let target = rng.below(lists);
        let Some(list) = tree::list_mut(&mut trees, target) else {
            continue;
        };
        apply(rng, vocab, list, other, &names);
    }
    let text = tree::text(&trees);
    // The mutated text must lex again (a `'` may have lost its ident).
    (!text.trim().is_empty() && tree::parse(&text).is_some()).then_some(text)
}

fn apply(
    rng: &mut Rng,
    vocab: &Vocabulary,
    list: &mut Vec<Tree>,
    other: &[Tree],
    names: &[String],
) {
    let len = list.len();
    let at = rng.below(len + 1);
    let some = rng.below(len.max(1));
    match rng.below(13) {
        0 if len > 0 => {
            list.remove(some);
        }
        1 if len > 0 => {
            let t = list[some].clone();
            list.insert(some, t);
        }
        2 if len > 1 => {
            let j = rng.below(len);
            list.swap(some, j);
        }
        3 if len > 1 => {
            let j = (some + 1).min(len - 1);
            list.swap(some, j);
        }
        4 => replace_ident(rng, list, names),
        5 => replace_literal(rng, vocab, list),
        6 | 7 => {
            let snippet = rng.pick(&vocab.snippets).clone();
            list.splice(at..at, snippet);
        }
        8 => regroup(rng, list),
        9 if len > 0 => {
            // Flatten a group into its contents.
            if let Tree::Group(_, inner) = &list[some] {
                let inner = inner.clone();
                list.splice(some..=some, inner);
            }
        }
        10 if len > 0 => {
            // Wrap a run of tokens in a new group.
            let end = rng.range(some, len);
            let inner: Vec<Tree> = list.drain(some..end).collect();
            list.insert(some, Tree::Group(random_delimiter(rng), inner));
        }
        11 => {
            // Transplant a token list from another seed.
            let mut donor = other.to_vec();
            let pick = rng.below(tree::list_count(&donor));
            if let Some(part) = tree::list_mut(&mut donor, pick) {
                let n = part.len();
                let from = rng.below(n + 1);
                let to = rng.range(from, n.min(from + 12));
                list.splice(at..at, part[from..to].iter().cloned());
            }
        }
        _ if len > 0 => {
            // Replace a token with a random token of the vocabulary.
            let snippet = rng.pick(&vocab.snippets).clone();
            list.splice(some..=some, snippet);
        }
        _ => {}
    }
}

fn replace_ident(rng: &mut Rng, list: &mut [Tree], names: &[String]) {
    let spots: Vec<usize> = (0..list.len())
        .filter(|&i| list[i].ident().is_some())
        .collect();
    if spots.is_empty() {
        return;
    }
    let i = *rng.pick(&spots);
    // Not after `'`: `'a` would lose its meaning, and `'r#a` does not lex.
    if i > 0 && list[i - 1].is_punct('\'') {
        return;
    }
    let new = match rng.below(4) {
        0 => (*rng.pick(KEYWORDS)).to_owned(),
        1 => match list[i].ident() {
            Some(s) if !s.starts_with("r#") && !is_unrawable(s) => format!("r#{s}"),
            Some(s) => s.trim_start_matches("r#").to_owned(),
            None => return,
        },
        2 if !names.is_empty() => rng.pick(names).clone(),
        _ => format!(
            "r#{}",
            rng.pick(&["fn", "match", "type", "loop", "in", "async", "dyn", "x"])
        ),
    };
    list[i] = Tree::Ident(new);
}

/// Identifiers that cannot be raw (`r#self` is not a token).
fn is_unrawable(s: &str) -> bool {
    matches!(s, "self" | "Self" | "super" | "crate" | "_")
        || s.chars().next().is_some_and(|c| c.is_ascii_digit())
}

fn replace_literal(rng: &mut Rng, vocab: &Vocabulary, list: &mut Vec<Tree>) {
    let spots: Vec<usize> = (0..list.len())
        .filter(|&i| matches!(list[i], Tree::Literal(_)))
        .collect();
    if spots.is_empty() {
        return;
    }
    let i = *rng.pick(&spots);
    let new = rng.pick(&vocab.literals).clone();
    list.splice(i..=i, new);
}

fn regroup(rng: &mut Rng, list: &mut [Tree]) {
    let spots: Vec<usize> = (0..list.len())
        .filter(|&i| matches!(list[i], Tree::Group(..)))
        .collect();
    if spots.is_empty() {
        return;
    }
    let i = *rng.pick(&spots);
    if let Tree::Group(d, _) = &mut list[i] {
        *d = random_delimiter(rng);
    }
}

fn random_delimiter(rng: &mut Rng) -> Delimiter {
    match rng.below(4) {
        0 => Delimiter::Parenthesis,
        1 => Delimiter::Brace,
        2 => Delimiter::Bracket,
        _ => Delimiter::None,
    }
}
