//! Calls to functions that are not `#[differentiable]`, found in the
//! source file.
//!
//! A differentiated call `helper(x)` goes through `helper::rule`, the module
//! `#[differentiable]` puts beside `helper`. For a plain `helper`, rustc
//! would say only that `helper` is not a module. The attribute cannot see
//! other items, but it can read the file it is in: where that file defines
//! `helper` as a plain function, and nothing else of that name (no module,
//! no import, no annotated function), the call is refused at `helper` with
//! the fix. Anywhere else, rustc's message stands.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::rc::Rc;
use std::time::SystemTime;

use syn::visit::Visit;

/// What one source file says about the names of its functions.
#[derive(Default)]
struct Facts {
    /// Names of functions without an attribute that could make them differentiable.
    plain: HashSet<String>,
    /// Names given to anything else: annotated functions, modules, imports,
    /// macros, statics, other items.
    other: HashSet<String>,
    /// The first segment of every glob import's path (`use a::b::*` gives
    /// `a`), and whether the module it is written in is the file's own.
    globs: Vec<(String, bool)>,
    /// The file is a crate root (`crate::` names its modules).
    root: bool,
}

impl Facts {
    /// A glob import from outside the file (another file's module, a crate
    /// other than autograd and the standard ones) may bring in any name.
    fn foreign_glob(&self) -> bool {
        const KNOWN: [&str; 6] = ["autograd", "std", "core", "alloc", "ndarray", "num_traits"];
        self.globs.iter().any(|(g, top)| match g.as_str() {
            "self" => false,
            // The parent of the file's own module is another file.
            "super" => *top,
            "crate" => !self.root,
            g => !KNOWN.contains(&g) && !self.other.contains(g),
        })
    }
}

/// A parsed file, with the modification time it was read at.
type Parsed = (Option<SystemTime>, Rc<Facts>);

thread_local! {
    /// The names of the items inside the body being expanded: its own
    /// functions shadow the file's.
    static BODY: RefCell<(HashSet<String>, bool)> = RefCell::new((HashSet::new(), false));
    /// Parsed files, by path and modification time: every function of a
    /// crate is expanded in one process.
    static FILES: RefCell<HashMap<PathBuf, Parsed>> =
        RefCell::new(HashMap::new());
}

/// Whether `name`, called from the item being expanded, is certainly a
/// function of this file without `#[differentiable]`.
pub fn is_plain(name: &str) -> bool {
    let shadowed = BODY.with(|b| {
        let (names, any_use) = &*b.borrow();
        *any_use || names.contains(name)
    });
    !shadowed
        && facts().is_some_and(|f| {
            f.plain.contains(name)
                && !f.other.contains(name)
                && !f.other.contains("*")
                && !f.foreign_glob()
        })
}

/// Records the items of the body about to be lowered (a `use` inside it
/// may bring any name in).
pub fn body_items(items: &[syn::Item]) {
    let mut names = HashSet::new();
    let mut any_use = false;
    for item in items {
        match item {
            syn::Item::Fn(f) => {
                names.insert(f.sig.ident.to_string());
            }
            syn::Item::Const(c) => {
                names.insert(c.ident.to_string());
            }
            syn::Item::Static(s) => {
                names.insert(s.ident.to_string());
            }
            syn::Item::Use(_) => any_use = true,
            _ => {}
        }
    }
    BODY.with(|b| *b.borrow_mut() = (names, any_use));
}

fn facts() -> Option<Rc<Facts>> {
    if !proc_macro::is_available() {
        return None;
    }
    let path = proc_macro::Span::call_site().local_file()?;
    let modified = std::fs::metadata(&path).and_then(|m| m.modified()).ok();
    if let Some(f) = FILES.with(|c| {
        c.borrow()
            .get(&path)
            .filter(|(m, _)| *m == modified)
            .map(|(_, f)| f.clone())
    }) {
        return Some(f);
    }
    let text = std::fs::read_to_string(&path).ok()?;
    let file = syn::parse_file(&text).ok()?;
    let mut facts = Facts {
        root: path
            .file_name()
            .is_some_and(|n| n == "main.rs" || n == "lib.rs"),
        ..Facts::default()
    };
    Collect(&mut facts, 0).visit_file(&file);
    let facts = Rc::new(facts);
    FILES.with(|c| c.borrow_mut().insert(path, (modified, facts.clone())));
    Some(facts)
}

/// The facts, and how deep in inline modules the visit is.
struct Collect<'a>(&'a mut Facts, usize);

impl<'ast> Visit<'ast> for Collect<'_> {
    fn visit_item_fn(&mut self, f: &'ast syn::ItemFn) {
        // Bodies are not visited: their items are local to them.
        let name = f.sig.ident.to_string();
        if f.attrs.iter().all(|a| is_harmless(a.path())) {
            self.0.plain.insert(name);
        } else {
            self.0.other.insert(name);
        }
    }

    fn visit_item_mod(&mut self, m: &'ast syn::ItemMod) {
        self.0.other.insert(m.ident.to_string());
        self.1 += 1;
        syn::visit::visit_item_mod(self, m);
        self.1 -= 1;
    }

    fn visit_use_name(&mut self, u: &'ast syn::UseName) {
        self.0.other.insert(u.ident.to_string());
    }

    fn visit_use_rename(&mut self, u: &'ast syn::UseRename) {
        self.0.other.insert(u.rename.to_string());
    }

    fn visit_item_use(&mut self, u: &'ast syn::ItemUse) {
        if let syn::UseTree::Path(p) = &u.tree {
            if has_glob(&p.tree) {
                self.0.globs.push((p.ident.to_string(), self.1 == 0));
            }
        }
        syn::visit::visit_item_use(self, u);
    }

    fn visit_item_macro(&mut self, m: &'ast syn::ItemMacro) {
        // `macro_rules! name` and macros that may define anything.
        match &m.ident {
            Some(i) => {
                self.0.other.insert(i.to_string());
            }
            // An invocation may define any item.
            None => {
                self.0.other.insert(String::from("*"));
            }
        }
    }

    fn visit_item_static(&mut self, s: &'ast syn::ItemStatic) {
        self.0.other.insert(s.ident.to_string());
    }

    fn visit_item_const(&mut self, c: &'ast syn::ItemConst) {
        self.0.other.insert(c.ident.to_string());
    }

    fn visit_impl_item_fn(&mut self, _: &'ast syn::ImplItemFn) {}

    fn visit_trait_item_fn(&mut self, _: &'ast syn::TraitItemFn) {}
}

fn has_glob(t: &syn::UseTree) -> bool {
    match t {
        syn::UseTree::Glob(_) => true,
        syn::UseTree::Path(p) => has_glob(&p.tree),
        syn::UseTree::Group(g) => g.items.iter().any(has_glob),
        syn::UseTree::Name(_) | syn::UseTree::Rename(_) => false,
    }
}

/// Attributes that leave a function as plain as it was written.
fn is_harmless(path: &syn::Path) -> bool {
    let name = path.segments.last().map(|s| s.ident.to_string());
    matches!(
        name.as_deref(),
        Some(
            "inline"
                | "doc"
                | "allow"
                | "warn"
                | "deny"
                | "must_use"
                | "cold"
                | "track_caller"
                | "deprecated"
                | "expect"
        )
    )
}
