//! HTML pages read as a browser reads them, for the page tests.
//!
//! `html5gum`, a tokenizer that follows the WHATWG specification (and passes
//! html5lib's tokenizer tests), turns the bytes into tags, attributes and
//! text: character references decoded, `<script>` and `<style>` read as
//! raw text, a parse error reported. The tree is then built by nesting
//! alone, which is what a browser's tree builder does with a well-formed
//! page; every case where a browser would repair the markup instead (an
//! element left open or closed out of order, a block opened inside `<p>`, a
//! row outside a table section, text inside a table, a self-closing HTML
//! element, a parse error) fails the test, so the tree is the one a browser
//! builds (on every report page in `results/` and the lesson pages, the same
//! elements, text nodes and attributes as html5ever, Servo's parser, finds).
//! Names are kept lower case (a browser restores SVG's `viewBox`; no test
//! asks for one). Queries take the CSS selectors the tests use: type, `*`,
//! `#id`, `.class`, `[attr]`, `:first-child`, descendant and `>`
//! combinators, and comma lists.

#![allow(dead_code)]

use html5gum::{DefaultEmitter, Token, Tokenizer};

/// A parsed page.
pub struct Html {
    /// Node 0 is the document; the others in document order.
    nodes: Vec<Node>,
}

struct Node {
    parent: usize,
    children: Vec<usize>,
    data: Data,
}

enum Data {
    Document,
    Element {
        name: String,
        attrs: Vec<(String, String)>,
        /// Inside `<svg>` or `<math>`: self-closing tags are allowed there.
        foreign: bool,
    },
    Text(String),
}

/// Elements without content or end tag.
const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
    "wbr",
];

/// Start tags that close an open `<p>` (WHATWG "in body" insertion mode).
const CLOSES_P: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "center",
    "details",
    "dialog",
    "dir",
    "div",
    "dl",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hgroup",
    "hr",
    "li",
    "dd",
    "dt",
    "listing",
    "main",
    "menu",
    "nav",
    "ol",
    "p",
    "plaintext",
    "pre",
    "search",
    "section",
    "summary",
    "table",
    "ul",
    "xmp",
];

/// Elements that bound the "button scope" a `<p>` is looked for in.
const SCOPE: &[&str] = &[
    "applet", "button", "caption", "html", "marquee", "object", "table", "td", "template", "th",
];

/// HTML tags that end `<svg>` content in a browser.
const BREAKS_OUT_OF_SVG: &[&str] = &[
    "b",
    "big",
    "blockquote",
    "body",
    "br",
    "center",
    "code",
    "dd",
    "div",
    "dl",
    "dt",
    "em",
    "embed",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "head",
    "hr",
    "i",
    "img",
    "li",
    "listing",
    "menu",
    "meta",
    "nobr",
    "ol",
    "p",
    "pre",
    "ruby",
    "s",
    "small",
    "span",
    "strong",
    "strike",
    "sub",
    "sup",
    "table",
    "tt",
    "u",
    "ul",
    "var",
];

/// The parents a table part may have without a browser moving or adding
/// elements.
fn table_parent(name: &str) -> Option<&'static [&'static str]> {
    match name {
        "caption" | "colgroup" | "thead" | "tbody" | "tfoot" => Some(&["table"]),
        "col" => Some(&["colgroup"]),
        "tr" => Some(&["thead", "tbody", "tfoot"]),
        "td" | "th" => Some(&["tr"]),
        _ => None,
    }
}

/// Elements whose content is only table parts (and whitespace).
const TABLE_CONTEXT: &[&str] = &["table", "thead", "tbody", "tfoot", "tr"];

/// Elements whose text is written as is (not escaped) when serialized.
const RAW_TEXT: &[&str] = &[
    "style",
    "script",
    "xmp",
    "iframe",
    "noembed",
    "noframes",
    "plaintext",
    "noscript",
];

impl Html {
    /// Parses `text`, panicking where a browser would have to repair it.
    pub fn parse(text: &str) -> Html {
        let mut emitter = DefaultEmitter::default();
        // <script>, <style>, <title>, <textarea>… switch the tokenizer to
        // raw text or RCDATA, as a browser's tree builder makes it do.
        emitter.naively_switch_states(true);
        let mut b = Builder {
            doc: Html {
                nodes: vec![Node {
                    parent: 0,
                    children: Vec::new(),
                    data: Data::Document,
                }],
            },
            open: vec![0],
            skip_newline: false,
        };
        for token in Tokenizer::new_with_emitter(text, emitter) {
            let token = match token {
                Ok(t) => t,
                Err(never) => match never {},
            };
            let skip_newline = std::mem::take(&mut b.skip_newline);
            match token {
                Token::Doctype(d) => assert_eq!(&d.name[..], b"html", "<!DOCTYPE html>"),
                Token::Comment(_) => {}
                Token::Error(e) => panic!("HTML parse error: {}", e.value),
                Token::StartTag(t) => {
                    let attrs = t
                        .attributes
                        .iter()
                        .map(|(k, v)| (utf8(k), utf8(v)))
                        .collect();
                    b.start(utf8(&t.name), attrs, t.self_closing);
                }
                Token::EndTag(t) => b.end(&utf8(&t.name)),
                Token::String(s) => {
                    let s = utf8(&s);
                    let s = match skip_newline {
                        true => s.strip_prefix('\n').unwrap_or(&s).to_string(),
                        false => s,
                    };
                    b.text(s);
                }
            }
        }
        let left: Vec<&str> = b.open[1..].iter().map(|&i| b.doc.name(i)).collect();
        assert!(left.is_empty(), "elements never closed: {left:?}");
        b.doc
    }

    /// The elements matching `css`, in document order.
    pub fn select(&self, css: &str) -> std::vec::IntoIter<Element<'_>> {
        self.select_under(0, css)
    }

    /// The page serialized again (character references written as text).
    pub fn html(&self) -> String {
        let mut out = String::new();
        for &c in &self.nodes[0].children {
            self.serialize(c, &mut out);
        }
        out
    }

    fn select_under(&self, root: usize, css: &str) -> std::vec::IntoIter<Element<'_>> {
        let list = parse_selectors(css);
        let mut found = Vec::new();
        let mut stack: Vec<usize> = self.nodes[root].children.iter().rev().copied().collect();
        while let Some(i) = stack.pop() {
            if !self.is_element(i) {
                continue;
            }
            if list.iter().any(|s| self.matches(i, s, s.len() - 1)) {
                found.push(Element { doc: self, id: i });
            }
            stack.extend(self.nodes[i].children.iter().rev());
        }
        found.into_iter()
    }

    fn is_element(&self, i: usize) -> bool {
        matches!(self.nodes[i].data, Data::Element { .. })
    }

    fn name(&self, i: usize) -> &str {
        match &self.nodes[i].data {
            Data::Element { name, .. } => name,
            _ => "",
        }
    }

    fn attr(&self, i: usize, key: &str) -> Option<&str> {
        match &self.nodes[i].data {
            Data::Element { attrs, .. } => attrs
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.as_str()),
            _ => None,
        }
    }

    /// Whether element `i` matches the compounds `sel[..=k]`, the last one
    /// by `i` itself.
    fn matches(&self, i: usize, sel: &[(Combinator, Compound)], k: usize) -> bool {
        let (comb, compound) = &sel[k];
        if !self.is_element(i) || !self.matches_compound(i, compound) {
            return false;
        }
        if k == 0 {
            return true;
        }
        let mut up = self.nodes[i].parent;
        loop {
            if up == 0 {
                return false;
            }
            if self.matches(up, sel, k - 1) {
                return true;
            }
            if *comb == Combinator::Child {
                return false;
            }
            up = self.nodes[up].parent;
        }
    }

    fn matches_compound(&self, i: usize, c: &Compound) -> bool {
        let classes = self.attr(i, "class").unwrap_or("");
        c.tag.as_ref().is_none_or(|t| t == self.name(i))
            && c.id
                .as_ref()
                .is_none_or(|id| self.attr(i, "id") == Some(id))
            && c.classes
                .iter()
                .all(|k| classes.split_ascii_whitespace().any(|x| x == k))
            && c.attrs.iter().all(|a| self.attr(i, a).is_some())
            && (!c.first_child || self.first_element_child(self.nodes[i].parent) == Some(i))
    }

    fn first_element_child(&self, i: usize) -> Option<usize> {
        self.nodes[i]
            .children
            .iter()
            .copied()
            .find(|&c| self.is_element(c))
    }

    fn text_nodes(&self, i: usize, out: &mut Vec<String>) {
        for &c in &self.nodes[i].children {
            match &self.nodes[c].data {
                Data::Text(t) => out.push(t.clone()),
                _ => self.text_nodes(c, out),
            }
        }
    }

    fn serialize(&self, i: usize, out: &mut String) {
        match &self.nodes[i].data {
            Data::Document => {}
            Data::Text(t) => {
                let parent = self.name(self.nodes[i].parent);
                if RAW_TEXT.contains(&parent) {
                    out.push_str(t);
                } else {
                    out.push_str(&escape(t, false));
                }
            }
            Data::Element {
                name,
                attrs,
                foreign,
            } => {
                out.push('<');
                out.push_str(name);
                for (k, v) in attrs {
                    out.push_str(&format!(" {k}=\"{}\"", escape(v, true)));
                }
                out.push('>');
                if !*foreign && VOID.contains(&name.as_str()) {
                    return;
                }
                for &c in &self.nodes[i].children {
                    self.serialize(c, out);
                }
                out.push_str(&format!("</{name}>"));
            }
        }
    }
}

/// The HTML serialization's escaping (text, or an attribute value).
fn escape(s: &str, attribute: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '\u{a0}' => out.push_str("&nbsp;"),
            '"' if attribute => out.push_str("&quot;"),
            '<' if !attribute => out.push_str("&lt;"),
            '>' if !attribute => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

fn utf8(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).expect("the page is UTF-8")
}

/// Builds the tree from tokens, refusing what a browser would repair.
struct Builder {
    doc: Html,
    /// The open elements, the document first.
    open: Vec<usize>,
    /// A newline right after `<pre>`, `<listing>` or `<textarea>` is not
    /// content.
    skip_newline: bool,
}

impl Builder {
    fn top(&self) -> usize {
        *self.open.last().unwrap()
    }

    fn foreign(&self, i: usize) -> bool {
        matches!(self.doc.nodes[i].data, Data::Element { foreign: true, .. })
    }

    fn add(&mut self, data: Data) -> usize {
        self.add_under(self.top(), data)
    }

    fn add_under(&mut self, parent: usize, data: Data) -> usize {
        let id = self.doc.nodes.len();
        self.doc.nodes.push(Node {
            parent,
            children: Vec::new(),
            data,
        });
        self.doc.nodes[parent].children.push(id);
        id
    }

    fn start(&mut self, name: String, attrs: Vec<(String, String)>, self_closing: bool) {
        let top = self.top();
        let in_foreign = self.foreign(top);
        if in_foreign {
            assert!(
                !BREAKS_OUT_OF_SVG.contains(&name.as_str()),
                "<{name}> inside <{}>: a browser ends the SVG there",
                self.doc.name(top)
            );
        } else {
            self.check_html_start(&name, self_closing);
        }
        let foreign = in_foreign || name == "svg" || name == "math";
        let void = !foreign && VOID.contains(&name.as_str());
        let element = Data::Element {
            name: name.clone(),
            attrs,
            foreign,
        };
        let id = self.add(element);
        if !(void || foreign && self_closing) {
            self.open.push(id);
        }
        self.skip_newline = ["pre", "listing", "textarea"].contains(&name.as_str());
    }

    /// The nesting rules of the WHATWG tree builder that the pages meet.
    fn check_html_start(&self, name: &str, self_closing: bool) {
        let top = self.doc.name(self.top()).to_string();
        assert!(
            !self_closing || VOID.contains(&name),
            "<{name}/>: a browser ignores the slash and leaves it open"
        );
        if let Some(parents) = table_parent(name) {
            assert!(
                parents.contains(&top.as_str()),
                "<{name}> inside <{top}>: a browser moves or drops it"
            );
        } else if TABLE_CONTEXT.contains(&top.as_str()) {
            assert!(
                ["script", "style", "template"].contains(&name),
                "<{name}> inside <{top}>: a browser moves it out of the table"
            );
        }
        if CLOSES_P.contains(&name) {
            let p_open = self
                .open
                .iter()
                .rev()
                .map(|&i| self.doc.name(i))
                .take_while(|n| !SCOPE.contains(n))
                .any(|n| n == "p");
            assert!(
                !p_open,
                "<{name}> inside an open <p>: a browser closes the <p>"
            );
        }
        let same_kind = |kinds: &[&str], stop: &[&str]| {
            self.open
                .iter()
                .rev()
                .map(|&i| self.doc.name(i))
                .take_while(|n| !stop.contains(n))
                .any(|n| kinds.contains(&n))
        };
        let refused = match name {
            "li" => same_kind(&["li"], &["ul", "ol", "menu", "table", "html"]),
            "dd" | "dt" => same_kind(&["dd", "dt"], &["dl", "table", "html"]),
            "a" => same_kind(&["a"], &["table", "html"]),
            "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => top.len() == 2 && top.starts_with('h'),
            _ => false,
        };
        assert!(
            !refused,
            "<{name}> inside <{top}>: a browser closes one first"
        );
    }

    /// An end tag closes the element open last (a void element is never
    /// open, so `</br>` is refused too).
    fn end(&mut self, name: &str) {
        let top = self.top();
        let open = self.doc.name(top);
        assert!(
            top != 0 && open == name,
            "</{name}> where <{open}> is open: a browser repairs the nesting"
        );
        self.open.pop();
    }

    fn text(&mut self, s: String) {
        if s.is_empty() {
            return;
        }
        let mut top = self.top();
        let blank = s.chars().all(|c| c.is_ascii_whitespace());
        if top == 0 || self.doc.name(top) == "html" {
            assert!(blank, "text outside <head> and <body>: {s:?}");
            // A browser drops white space before <head> and puts what
            // follows </body> or </html> at the end of <body>.
            let html = if top == 0 {
                self.doc.nodes[0].children.first().copied()
            } else {
                Some(top)
            };
            let Some(html) = html else { return };
            let kids = &self.doc.nodes[html].children;
            let body = kids.iter().copied().find(|&c| self.doc.name(c) == "body");
            match (kids.iter().any(|&c| self.doc.is_element(c)), body) {
                (false, _) => return,
                (true, Some(body)) => top = body,
                (true, None) if top == 0 => return,
                (true, None) => {}
            }
        }
        assert!(
            blank || !TABLE_CONTEXT.contains(&self.doc.name(top)),
            "text {s:?} inside <{}>: a browser moves it out of the table",
            self.doc.name(top)
        );
        // Adjacent text is one node, as in a browser's tree.
        if let Some(&last) = self.doc.nodes[top].children.last() {
            if let Data::Text(t) = &mut self.doc.nodes[last].data {
                t.push_str(&s);
                return;
            }
        }
        self.add_under(top, Data::Text(s));
    }
}

/// An element of a parsed page.
#[derive(Clone, Copy)]
pub struct Element<'a> {
    doc: &'a Html,
    id: usize,
}

impl<'a> Element<'a> {
    /// The tag name, lower case.
    pub fn name(&self) -> &'a str {
        self.doc.name(self.id)
    }

    pub fn attr(&self, name: &str) -> Option<&'a str> {
        self.doc.attr(self.id, name)
    }

    /// Every attribute, name and value.
    pub fn attrs(&self) -> impl Iterator<Item = (&'a str, &'a str)> {
        let attrs: &'a [(String, String)] = match &self.doc.nodes[self.id].data {
            Data::Element { attrs, .. } => attrs,
            _ => &[],
        };
        attrs.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// The text nodes below the element, in order.
    pub fn text_nodes(&self) -> Vec<String> {
        let mut out = Vec::new();
        self.doc.text_nodes(self.id, &mut out);
        out
    }

    /// All the text below the element, joined.
    pub fn text(&self) -> String {
        self.text_nodes().concat()
    }

    /// The elements below this one that match `css` (the selector sees the
    /// whole page, as in a browser's `element.querySelectorAll`).
    pub fn select(&self, css: &str) -> std::vec::IntoIter<Element<'a>> {
        self.doc.select_under(self.id, css)
    }

    /// The element serialized, its tags included.
    pub fn html(&self) -> String {
        let mut out = String::new();
        self.doc.serialize(self.id, &mut out);
        out
    }
}

#[derive(Clone, Copy, PartialEq, Debug)]
enum Combinator {
    Descendant,
    Child,
}

#[derive(Default, Debug)]
struct Compound {
    tag: Option<String>,
    id: Option<String>,
    classes: Vec<String>,
    attrs: Vec<String>,
    first_child: bool,
}

/// A comma list of selectors, each a list of compounds with the combinator
/// that joins each to the one before (the first one's is not used).
fn parse_selectors(css: &str) -> Vec<Vec<(Combinator, Compound)>> {
    css.split(',').map(|s| parse_complex(s, css)).collect()
}

fn parse_complex(s: &str, css: &str) -> Vec<(Combinator, Compound)> {
    let mut out: Vec<(Combinator, Compound)> = Vec::new();
    let mut comb = Combinator::Descendant;
    let mut rest = s.trim();
    assert!(!rest.is_empty(), "empty selector in {css:?}");
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix('>') {
            comb = Combinator::Child;
            rest = r.trim_start();
            continue;
        }
        let end = rest
            .find(|c: char| c.is_ascii_whitespace() || c == '>')
            .unwrap_or(rest.len());
        out.push((comb, parse_compound(&rest[..end], css)));
        comb = Combinator::Descendant;
        rest = rest[end..].trim_start();
    }
    out
}

fn parse_compound(s: &str, css: &str) -> Compound {
    let ident_end = |t: &str| {
        t.find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
            .unwrap_or(t.len())
    };
    let mut c = Compound::default();
    let mut rest = s;
    if let Some(r) = rest.strip_prefix('*') {
        rest = r;
    } else {
        let n = ident_end(rest);
        if n > 0 {
            c.tag = Some(rest[..n].to_ascii_lowercase());
            rest = &rest[n..];
        }
    }
    while let Some(first) = rest.chars().next() {
        let body = &rest[1..];
        match first {
            '#' | '.' | ':' => {
                let n = ident_end(body);
                let word = body[..n].to_string();
                match first {
                    '#' => c.id = Some(word),
                    '.' => c.classes.push(word),
                    _ if word == "first-child" => c.first_child = true,
                    _ => panic!("unsupported pseudo-class :{word} in {css:?}"),
                }
                rest = &body[n..];
            }
            '[' => {
                let close = body.find(']').expect("a closing ]");
                let name = &body[..close];
                assert!(
                    ident_end(name) == name.len(),
                    "only [attr] is supported, not [{name}] in {css:?}"
                );
                c.attrs.push(name.to_string());
                rest = &body[close + 1..];
            }
            _ => panic!("unsupported selector {s:?} in {css:?}"),
        }
    }
    c
}

#[test]
fn a_page_is_read_as_a_browser_reads_it() {
    let page = Html::parse(concat!(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>a &amp; b</title>",
        "<style>p > b { x: \"</p>\" }</style></head><body>",
        "<p class=\"x y\" id=\"one\">1 &lt; 2 &amp;&nbsp;<b>bold</b></p>",
        "<pre class=\"x\">\nkept\n</pre>",
        "<figure><svg width=\"9\"><path d=\"M0\"/><text>t&#x41;</text></svg></figure>",
        "<table><thead><tr><th>h</th></tr></thead>\n<tbody><tr><td>a</td><td>b</td></tr>",
        "<tr><td hidden>c</td><td>d</td></tr></tbody></table>",
        "<script>if (1 < 2 && x) {}</script></body></html>\n",
    ));
    assert_eq!(page.select("title").next().unwrap().text(), "a & b");
    let p = page.select("p#one.x.y").next().unwrap();
    assert_eq!(p.text_nodes(), ["1 < 2 &\u{a0}", "bold"]);
    assert_eq!(
        p.html(),
        "<p class=\"x y\" id=\"one\">1 &lt; 2 &amp;&nbsp;<b>bold</b></p>"
    );
    assert_eq!(page.select("p > b").count(), 1);
    assert_eq!(page.select("body > b, .y b").count(), 1);
    assert_eq!(page.select("pre.x").next().unwrap().text(), "kept\n");
    let svg = page.select("figure svg").next().unwrap();
    assert_eq!(svg.attr("width"), Some("9"));
    assert_eq!(svg.select("text").next().unwrap().text(), "tA");
    assert_eq!(svg.select("path").count(), 1, "self-closing inside SVG");
    let cells: Vec<String> = page
        .select("table tbody tr")
        .flat_map(|tr| tr.select("td").map(|td| td.text()).collect::<Vec<_>>())
        .collect();
    assert_eq!(cells, ["a", "b", "c", "d"]);
    let firsts: Vec<String> = page.select("tr td:first-child").map(|e| e.text()).collect();
    assert_eq!(firsts, ["a", "c"]);
    assert_eq!(page.select("[hidden]").next().unwrap().text(), "c");
    assert_eq!(
        page.select("script").next().unwrap().text(),
        "if (1 < 2 && x) {}"
    );
    assert_eq!(
        page.select("style").next().unwrap().text(),
        "p > b { x: \"</p>\" }"
    );
    assert_eq!(page.select("*").count(), 25);
    assert!(page.html().contains("<td hidden=\"\">c</td>"));
}

#[test]
fn markup_a_browser_would_repair_is_refused() {
    for (bad, says) in [
        (
            "<html><body><p>a<div>b</div></p></body></html>",
            "inside an open <p>",
        ),
        (
            "<html><body><table><tr><td>a</td></tr></table></body></html>",
            "<tr> inside <table>",
        ),
        (
            "<html><body><table><tbody>x</tbody></table></body></html>",
            "moves it out",
        ),
        (
            "<html><body><b>a<i>b</b></i></body></html>",
            "</b> where <i> is open",
        ),
        ("<html><body><div>", "never closed"),
        ("<html><body><div/></body></html>", "ignores the slash"),
        (
            "<html><body><ul><li>a<li>b</li></li></ul></body></html>",
            "closes one first",
        ),
        (
            "<html><body><svg><p>x</p></svg></body></html>",
            "ends the SVG",
        ),
        ("<html><body><p id=a id=b></p></body></html>", "parse error"),
        ("<html><body><br></br></body></html>", "</br>"),
    ] {
        let got = std::panic::catch_unwind(|| Html::parse(bad)).map(|_| ());
        let msg = got.expect_err(bad);
        let msg = msg
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| msg.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default();
        assert!(msg.contains(says), "{bad}: {msg}");
    }
}
