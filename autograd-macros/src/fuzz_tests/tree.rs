//! An owned, `Send` copy of a token stream.
//!
//! `proc_macro2::TokenStream` is neither `Send` nor safe to walk recursively
//! on a small stack, and its spans only mean something on the thread that
//! lexed them. The expansion thread therefore hands its output back as
//! [`Tree`]s, built without recursion; the checker thread (large stack)
//! turns them back into tokens to parse them with syn, and mutates and
//! prints the inputs it generates in the same form.

use proc_macro2::{Delimiter, Group, Ident, Literal, Punct, Spacing, Span, TokenStream, TokenTree};

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Tree {
    Group(Delimiter, Vec<Tree>),
    /// As printed: raw identifiers keep their `r#`.
    Ident(String),
    Punct(char, Spacing),
    Literal(String),
}

impl Tree {
    pub fn ident(&self) -> Option<&str> {
        match self {
            Tree::Ident(s) => Some(s),
            _ => None,
        }
    }

    pub fn is_punct(&self, c: char) -> bool {
        matches!(self, Tree::Punct(p, _) if *p == c)
    }
}

/// Converts without recursion, so that it is safe on the expansion thread.
pub fn from_stream(stream: TokenStream) -> Vec<Tree> {
    let mut stack = vec![(stream.into_iter(), Delimiter::None, Vec::new())];
    loop {
        let Some(top) = stack.last_mut() else {
            return Vec::new();
        };
        match top.0.next() {
            Some(TokenTree::Group(g)) => {
                stack.push((g.stream().into_iter(), g.delimiter(), Vec::new()));
            }
            Some(TokenTree::Ident(i)) => top.2.push(Tree::Ident(i.to_string())),
            Some(TokenTree::Punct(p)) => top.2.push(Tree::Punct(p.as_char(), p.spacing())),
            Some(TokenTree::Literal(l)) => top.2.push(Tree::Literal(l.to_string())),
            None => {
                let Some((_, delimiter, trees)) = stack.pop() else {
                    return Vec::new();
                };
                match stack.last_mut() {
                    Some(parent) => parent.2.push(Tree::Group(delimiter, trees)),
                    None => return trees,
                }
            }
        }
    }
}

/// Lexes `src` into trees (`None` if it is not a token stream).
pub fn parse(src: &str) -> Option<Vec<Tree>> {
    src.parse::<TokenStream>().ok().map(from_stream)
}

/// Rebuilds tokens (recursive: call it on a large stack). Spans are lost.
pub fn to_stream(trees: &[Tree]) -> TokenStream {
    trees.iter().map(to_token).collect()
}

fn to_token(tree: &Tree) -> TokenTree {
    match tree {
        Tree::Group(d, inner) => TokenTree::Group(Group::new(*d, to_stream(inner))),
        Tree::Ident(s) => TokenTree::Ident(match s.strip_prefix("r#") {
            Some(raw) => Ident::new_raw(raw, Span::call_site()),
            None => Ident::new(s, Span::call_site()),
        }),
        Tree::Punct(c, spacing) => TokenTree::Punct(Punct::new(*c, *spacing)),
        Tree::Literal(s) => {
            TokenTree::Literal(s.parse::<Literal>().unwrap_or_else(|_| Literal::string(s)))
        }
    }
}

/// The source text of trees, as proc-macro2 prints it.
pub fn text(trees: &[Tree]) -> String {
    to_stream(trees).to_string()
}

/// How many token lists the trees hold: the top level and one per group.
pub fn list_count(trees: &[Tree]) -> usize {
    1 + trees
        .iter()
        .map(|t| match t {
            Tree::Group(_, inner) => list_count(inner),
            _ => 0,
        })
        .sum::<usize>()
}

/// The `index`-th token list in pre-order (0 is the top level).
pub fn list_mut(trees: &mut Vec<Tree>, index: usize) -> Option<&mut Vec<Tree>> {
    fn walk<'t>(trees: &'t mut Vec<Tree>, index: &mut usize) -> Option<&'t mut Vec<Tree>> {
        if *index == 0 {
            return Some(trees);
        }
        *index -= 1;
        for t in trees.iter_mut() {
            if let Tree::Group(_, inner) = t {
                if let Some(found) = walk(inner, index) {
                    return Some(found);
                }
            }
        }
        None
    }
    let mut index = index;
    walk(trees, &mut index)
}

/// Every identifier in the trees, in order.
pub fn idents(trees: &[Tree], out: &mut Vec<String>) {
    for t in trees {
        match t {
            Tree::Ident(s) => out.push(s.clone()),
            Tree::Group(_, inner) => idents(inner, out),
            _ => {}
        }
    }
}
