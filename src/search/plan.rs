//! Query planning: query text → [`QueryPlan`] (the first-stage tantivy query, its
//! labelled clauses, notes for the user, and the weighted terms of the second stage).
//!
//! * **Plain text** (the usual case, and whole sentences with hyphens, colons and
//!   parentheses): analyzed like the index, stop words dropped (unless nothing else
//!   is left), each remaining term searched in title, heading and body with the
//!   first-stage boosts; lexicon phrases found in the query add their other forms
//!   ([`TermKind::Expansion`]); terms that occur nowhere in the index are replaced by
//!   the closest indexed term ([`TermKind::Correction`], "did you mean").
//! * **Query syntax** (`"phrases"`, `+must`, `-not`, `field:term`, `AND`/`OR`/`NOT`):
//!   tantivy's lenient query parser over the same fields and boosts, first stage
//!   only. Parts it cannot read are reported and the rest still runs.

use std::collections::HashSet;

use tantivy::Term;
use tantivy::query::{
    BooleanQuery, BoostQuery, EmptyQuery, Occur, PhraseQuery, Query, QueryParser, QueryParserError,
    TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};

use super::stopwords::is_stop_word;
use super::{Engine, Note};
use crate::lexicon::{Lexicon, Phrase};
use crate::rank::{self, Form, QueryTerm, TermKind};
use crate::schema;

/// A planned query.
pub struct QueryPlan {
    /// The first-stage query.
    pub query: Box<dyn Query>,
    /// Its clauses, labelled (`title:cancer`), for `--explain` of the first stage.
    pub clauses: Vec<(String, Box<dyn Query>)>,
    /// What the user is told about how the query was read.
    pub notes: Vec<Note>,
    /// Weighted terms for the second stage (empty: first stage only).
    pub terms: Vec<QueryTerm>,
}

impl Engine {
    /// Plans `text`: query syntax or plain text, by [`uses_syntax`].
    pub(super) fn plan(&self, text: &str) -> tantivy::Result<QueryPlan> {
        if uses_syntax(text) {
            Ok(self.plan_parsed(text))
        } else {
            self.plan_plain(text)
        }
    }

    /// Fields with their names and first-stage boosts.
    fn first_stage_fields(&self) -> [(Field, &'static str, f32); 3] {
        let f = &self.fields;
        let w = self.params.first_stage();
        [
            (f.title, schema::TITLE, w[0]),
            (f.heading, schema::HEADING, w[1]),
            (f.body, schema::BODY, w[2]),
        ]
    }

    /// Query syntax: tantivy's lenient parser with the first-stage boosts.
    fn plan_parsed(&self, text: &str) -> QueryPlan {
        // tantivy's grammar recurses per parenthesis: ~1,000 nested groups
        // overflow the stack. Deeper nesting than anyone writes is flattened.
        let (text, flattened) = limit_nesting(text, MAX_GROUP_DEPTH);
        let (text, shortened) = limit_negations(&text, MAX_NOT_RUN);
        let mut parser =
            QueryParser::for_index(&self.store.index, self.fields.text_fields().to_vec());
        for (field, _, weight) in self.first_stage_fields() {
            parser.set_field_boost(field, weight);
        }
        let (mut query, errors) = parser.parse_query_lenient(&text);
        let mut notes: Vec<Note> = Vec::new();
        for error in errors {
            if matches!(error, QueryParserError::AllButQueryForbidden) {
                // tantivy reads a query of exclusions alone as "every passage but
                // these", in no order: nothing a search can rank.
                query = Box::new(EmptyQuery);
                notes.push(Note::Parse(
                    "the query only excludes (-word, NOT word): give a word to search for".into(),
                ));
            } else {
                notes.push(Note::Parse(error.to_string()));
            }
        }
        if shortened {
            notes.push(Note::Parse(format!(
                "a run of more than {MAX_NOT_RUN} NOTs was read as one or two (by its parity)"
            )));
        }
        if flattened {
            notes.push(Note::Parse(format!(
                "parentheses nested deeper than {MAX_GROUP_DEPTH} levels were ignored"
            )));
        }
        QueryPlan {
            query,
            clauses: Vec::new(),
            notes,
            terms: Vec::new(),
        }
    }

    /// Plain text: bag of analyzed terms, weighted per field, plus expansions.
    fn plan_plain(&self, text: &str) -> tantivy::Result<QueryPlan> {
        let read = read_words(text);
        let mut notes = read.notes;
        // Literal words first, then what stands in for missing ones, then related
        // forms: a word both literal and derived stays literal.
        let (mut planned, missing) = self.found_and_missing(&read.content)?;
        for term in &missing {
            let typed = read
                .surfaces
                .get(term)
                .cloned()
                .unwrap_or_else(|| term.clone());
            planned.extend(self.stand_ins(term, &typed, &mut notes)?);
        }
        let literals: Vec<String> = planned
            .iter()
            .filter(|p| p.kind == TermKind::Literal)
            .map(|p| p.term.clone())
            .collect();
        for term in &literals {
            for other in self.family_of(term)? {
                planned.push(Planned {
                    term: other,
                    kind: TermKind::Derived,
                    weight: self.params.derived,
                    origin: Some(term.clone()),
                    doc_freqs: None,
                });
            }
        }
        let (mut terms, mut clauses) = self.term_clauses(planned)?;
        let all_terms: Vec<String> = read.words.iter().map(|w| w.term.clone()).collect();
        let expansions = self.lexicon_expansions(&all_terms);
        self.expand(expansions, &mut terms, &mut clauses, &mut notes)?;

        let query: Box<dyn Query> = Box::new(BooleanQuery::new(
            clauses
                .iter()
                .map(|(_, q)| (Occur::Should, q.box_clone()))
                .collect(),
        ));
        Ok(QueryPlan {
            query,
            clauses,
            notes,
            terms,
        })
    }

    /// The content terms found in the index (as literals, in order), and those
    /// found nowhere.
    fn found_and_missing(
        &self,
        content: &[String],
    ) -> tantivy::Result<(Vec<Planned>, Vec<String>)> {
        let mut found = Vec::new();
        let mut missing = Vec::new();
        for term in content {
            let dfs = self.doc_freqs_of(term)?;
            if dfs.iter().any(|&df| df > 0) {
                found.push(Planned {
                    term: term.clone(),
                    kind: TermKind::Literal,
                    weight: 1.0,
                    origin: None,
                    doc_freqs: Some(dfs),
                });
            } else {
                missing.push(term.clone());
            }
        }
        Ok((found, missing))
    }

    /// [`rank::doc_freqs`] of `term`, remembered (a batch meets the same words
    /// again; each lookup walks three term dictionaries per segment).
    fn doc_freqs_of(&self, term: &str) -> tantivy::Result<[u64; 3]> {
        self.doc_freqs
            .get(term, || rank::doc_freqs(&self.searcher, &self.fields, term))
    }

    /// The derivational family of `term` searched for it (none when the
    /// `derived` weight is off).
    fn family_of(&self, term: &str) -> tantivy::Result<Vec<String>> {
        if self.params.derived > 0.0 {
            self.families.get(term, || {
                super::family::family(&self.searcher, self.fields.body, term, MAX_FAMILY)
            })
        } else {
            Ok(Vec::new())
        }
    }

    /// How the text writes `stem` ([`super::spell::surface`]).
    fn surface(&self, stem: &str) -> tantivy::Result<String> {
        self.surfaces.get(stem, || {
            super::spell::surface(&self.searcher, self.fields.body, stem)
        })
    }

    /// What is searched for a term found nowhere (`typed` as the user wrote it):
    /// its indexed family, else the plausible spelling correction, else nothing;
    /// the note saying which.
    fn stand_ins(
        &self,
        term: &str,
        typed: &str,
        notes: &mut Vec<Note>,
    ) -> tantivy::Result<Vec<Planned>> {
        let family = self.family_of(term)?;
        if !family.is_empty() {
            // The note speaks in words as the user typed them and as the text
            // writes them, never in stems ("curable" → "cure", not "curabl").
            let mut with = Vec::with_capacity(family.len());
            for stem in &family {
                with.push(self.surface(stem)?);
            }
            notes.push(Note::Expanded {
                phrase: typed.to_string(),
                with,
            });
            return Ok(family
                .into_iter()
                .map(|other| Planned {
                    term: other,
                    kind: TermKind::Derived,
                    weight: self.params.derived,
                    origin: Some(term.to_string()),
                    doc_freqs: None,
                })
                .collect());
        }
        let suggestion = self.suggestions.get(term, || {
            super::spell::suggest(&self.searcher, self.fields.body, term)
        })?;
        let spelled = match suggestion {
            Some(stem) => {
                let word = self.surface(&stem)?;
                super::spell::plausible(typed, &word).then_some((stem, word))
            }
            None => None,
        };
        Ok(match spelled {
            Some((stem, word)) => {
                notes.push(Note::DidYouMean {
                    term: typed.to_string(),
                    suggestion: word,
                });
                vec![Planned {
                    term: stem,
                    kind: TermKind::Correction,
                    weight: self.params.fuzzy,
                    origin: Some(typed.to_string()),
                    doc_freqs: None,
                }]
            }
            None => {
                notes.push(Note::NotFound(typed.to_string()));
                Vec::new()
            }
        })
    }

    /// The second-stage terms of `planned` (the first of each text, weighted
    /// above zero) and their first-stage clauses, one per field it occurs in.
    #[allow(clippy::type_complexity)]
    fn term_clauses(
        &self,
        planned: Vec<Planned>,
    ) -> tantivy::Result<(Vec<QueryTerm>, Vec<(String, Box<dyn Query>)>)> {
        let mut terms: Vec<QueryTerm> = Vec::new();
        let mut clauses: Vec<(String, Box<dyn Query>)> = Vec::new();
        for Planned {
            term,
            kind,
            weight,
            origin,
            doc_freqs,
        } in planned
        {
            if weight <= 0.0 || terms.iter().any(|t| t.text == term) {
                continue;
            }
            let dfs = match doc_freqs {
                Some(dfs) => dfs,
                None => self.doc_freqs_of(&term)?,
            };
            for (f, (field, name, w)) in self.first_stage_fields().into_iter().enumerate() {
                if dfs[f] == 0 || w == 0.0 {
                    continue; // nothing to find there
                }
                let q = TermQuery::new(
                    Term::from_field_text(field, &term),
                    IndexRecordOption::WithFreqs,
                );
                clauses.push((format!("{name}:{term}"), boosted(Box::new(q), w * weight)));
            }
            terms.push(QueryTerm {
                text: term,
                kind,
                weight,
                doc_freqs: Some(dfs),
                origin,
                form: None,
            });
        }
        Ok((terms, clauses))
    }

    /// The lexicon's phrases matched by the query's terms, each with its other
    /// forms (none when the `expansion` weight is off). The lexicon is parsed
    /// only when a query term occurs in its text; the first such query parses
    /// only its own groups, a later one (a batch) the whole lexicon, once.
    fn lexicon_expansions(&self, all_terms: &[String]) -> Vec<(Phrase, Vec<Phrase>)> {
        if self.params.expansion <= 0.0 {
            Vec::new()
        } else if let Some(lexicon) = self.lexicon.get() {
            lexicon.expansions(all_terms)
        } else if !all_terms
            .iter()
            .any(|t| self.lexicon_text.contains(t.as_str()))
        {
            Vec::new()
        } else if self
            .lexicon_uses
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
            == 0
        {
            Lexicon::parse_for(&self.lexicon_text, all_terms).expansions(all_terms)
        } else {
            self.lexicon
                .get_or_init(|| Lexicon::parse(&self.lexicon_text))
                .expansions(all_terms)
        }
    }

    /// Adds each trusted expansion group: its note, its forms as second-stage
    /// terms (the query's own words form 0), and a first-stage clause per form
    /// and field. A short form the collection mostly writes as an ordinary word
    /// is that word: neither expanded nor searched as an expansion.
    fn expand(
        &self,
        expansions: Vec<(Phrase, Vec<Phrase>)>,
        terms: &mut Vec<QueryTerm>,
        clauses: &mut Vec<(String, Box<dyn Query>)>,
        notes: &mut Vec<Note>,
    ) -> tantivy::Result<()> {
        let mut groups = 0u32;
        for (matched, others) in expansions {
            if self.is_common_word(&matched)? {
                continue;
            }
            let mut trusted = Vec::with_capacity(others.len());
            for other in others {
                if !self.is_common_word(&other)? {
                    trusted.push(other);
                }
            }
            let others = trusted;
            if others.is_empty() {
                continue;
            }
            notes.push(Note::Expanded {
                phrase: matched.surface.clone(),
                with: others.iter().map(|p| p.surface.clone()).collect(),
            });
            // A term already in an earlier group keeps that one.
            let group = groups;
            groups += 1;
            for q in terms.iter_mut() {
                if q.form.is_none()
                    && q.kind == TermKind::Literal
                    && matched.terms.contains(&q.text)
                {
                    q.form = Some(Form { group, form: 0 });
                }
            }
            for (k, other) in others.into_iter().enumerate() {
                for t in &other.terms {
                    // Every word of the phrase, stop words too: the first
                    // stage's statistics read the remembered frequencies
                    // ([`super::first::Statistics`]) before asking the index.
                    let dfs = self.doc_freqs_of(t)?;
                    if !terms.iter().any(|q| &q.text == t) && !is_stop_word(t) {
                        terms.push(QueryTerm {
                            text: t.clone(),
                            kind: TermKind::Expansion,
                            weight: self.params.expansion,
                            doc_freqs: Some(dfs),
                            origin: Some(matched.surface.clone()),
                            form: Some(Form {
                                group,
                                form: k as u32 + 1,
                            }),
                        });
                    }
                }
                for (field, name, w) in self.first_stage_fields() {
                    if w == 0.0 {
                        continue;
                    }
                    clauses.push((
                        format!("{name}:\"{}\" (for {})", other.surface, matched.surface),
                        boosted(phrase_query(field, &other.terms), w * self.params.expansion),
                    ));
                }
            }
        }
        Ok(())
    }
}

/// A term to search, before its document frequencies are looked up.
struct Planned {
    term: String,
    kind: TermKind,
    weight: f32,
    /// What it stands for, as the user wrote it.
    origin: Option<String>,
    /// Its document frequencies in title, heading and body, when known.
    doc_freqs: Option<[u64; 3]>,
}

/// The words of a plain query and what is searched of them.
struct ReadWords {
    /// Every analyzed word, stop words included, in order.
    words: Vec<Word>,
    /// The terms searched, once each, in order: the words that are not stop
    /// words, or all of them when only stop words are left.
    content: Vec<String>,
    /// Analyzed term → the word as typed (lower-cased).
    surfaces: std::collections::HashMap<String, String>,
    /// No words, symbols ignored, only stop words.
    notes: Vec<Note>,
}

/// Reads a plain query into its words and content terms.
fn read_words(text: &str) -> ReadWords {
    let mut notes = Vec::new();
    let symbols: Vec<String> = text
        .split_whitespace()
        .filter(|w| !w.chars().any(char::is_alphanumeric))
        .map(str::to_string)
        .collect();
    let words = query_words(text);
    if words.is_empty() {
        notes.push(Note::NoWords);
    } else if !symbols.is_empty() {
        notes.push(Note::Symbols(symbols));
    }
    let surfaces = words
        .iter()
        .map(|w| (w.term.clone(), w.surface.clone()))
        .collect();
    let mut content: Vec<String> = words
        .iter()
        .filter(|w| !w.stop)
        .map(|w| w.term.clone())
        .collect();
    if content.is_empty() {
        content = words.iter().map(|w| w.term.clone()).collect();
        if !content.is_empty() {
            notes.push(Note::OnlyStopWords);
        }
    }
    let mut seen = HashSet::new();
    content.retain(|t| seen.insert(t.clone()));
    ReadWords {
        words,
        content,
        surfaces,
        notes,
    }
}

/// `terms` in `field`: a term query for one term, a phrase query for several.
fn phrase_query(field: Field, terms: &[String]) -> Box<dyn Query> {
    if terms.len() == 1 {
        Box::new(TermQuery::new(
            Term::from_field_text(field, &terms[0]),
            IndexRecordOption::WithFreqs,
        ))
    } else {
        Box::new(PhraseQuery::new(
            terms
                .iter()
                .map(|t| Term::from_field_text(field, t))
                .collect(),
        ))
    }
}

impl Engine {
    /// Whether a one-word phrase of the lexicon is a short form that the
    /// collection mostly writes as an ordinary word ([`super::abbrev`]).
    fn is_common_word(&self, phrase: &Phrase) -> tantivy::Result<bool> {
        if phrase.terms.len() != 1 {
            return Ok(false);
        }
        self.common_words
            .common_word(&self.searcher, self.fields.body, phrase.surface.trim())
    }
}

/// Related forms searched per query word.
const MAX_FAMILY: usize = 3;

/// Deepest parenthesis nesting passed to the query parser.
const MAX_GROUP_DEPTH: usize = 32;

/// Longest run of consecutive `NOT`s passed to the query parser.
const MAX_NOT_RUN: usize = 16;

/// Shortens each run of more than `max` consecutive `NOT` words to one or two
/// of them, by its parity (tantivy's grammar recurses per `NOT`: thousands in a
/// row overflow the stack); returns the text and whether anything changed.
fn limit_negations(text: &str, max: usize) -> (String, bool) {
    let words: Vec<&str> = text.split_whitespace().collect();
    let longest = words
        .chunk_by(|a, b| *a == "NOT" && *b == "NOT")
        .filter(|run| run[0] == "NOT")
        .map(<[&str]>::len)
        .max()
        .unwrap_or(0);
    if longest <= max {
        return (text.to_string(), false);
    }
    let mut out: Vec<&str> = Vec::with_capacity(words.len());
    for run in words.chunk_by(|a, b| *a == "NOT" && *b == "NOT") {
        if run[0] == "NOT" && run.len() > max {
            out.extend(std::iter::repeat_n("NOT", 2 - run.len() % 2));
        } else {
            out.extend(run);
        }
    }
    (out.join(" "), true)
}

/// Drops parentheses nested deeper than `max` (and unmatched closing ones beyond
/// it); returns the text and whether anything was dropped.
fn limit_nesting(text: &str, max: usize) -> (String, bool) {
    let mut depth = 0usize;
    let mut dropped = false;
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '(' => {
                depth += 1;
                if depth > max {
                    dropped = true;
                    out.push(' ');
                    continue;
                }
            }
            ')' => {
                let inner = depth > max;
                depth = depth.saturating_sub(1);
                if inner {
                    out.push(' ');
                    continue;
                }
            }
            _ => {}
        }
        out.push(c);
    }
    (out, dropped)
}

fn boosted(query: Box<dyn Query>, weight: f32) -> Box<dyn Query> {
    if (weight - 1.0).abs() < f32::EPSILON {
        query
    } else {
        Box::new(BoostQuery::new(query, weight))
    }
}

struct Word {
    term: String,
    /// The word as typed, lower-cased.
    surface: String,
    stop: bool,
}

/// Analyzed query words in order, each marked as stop word or not (the stop list is
/// checked on the lower-cased surface word, before stemming). A word that is part of
/// an identifier (`should_panic`, `or_insert`, `no_std`, `io::Read`: words joined by
/// `_` or `::`) is never a stop word: it is a name, not English.
fn query_words(text: &str) -> Vec<Word> {
    use tantivy::tokenizer::{SimpleTokenizer, TokenStream, Tokenizer};
    let mut out = Vec::new();
    for chunk in text.split_whitespace() {
        let identifier = is_identifier(chunk);
        let mut tokenizer = SimpleTokenizer::default();
        let mut stream = tokenizer.token_stream(chunk);
        while stream.advance() {
            let surface = stream.token().text.to_lowercase();
            let stop = !identifier && is_stop_word(&surface);
            for term in schema::analyze(&surface) {
                out.push(Word {
                    term,
                    surface: surface.clone(),
                    stop,
                });
            }
        }
    }
    out
}

/// Whether a whitespace-separated query word joins words into one name with `_`
/// or `::` (`should_panic`, `Vec::new`).
fn is_identifier(chunk: &str) -> bool {
    let chars: Vec<char> = chunk.chars().collect();
    chars
        .windows(3)
        .any(|w| w[0].is_alphanumeric() && w[1] == '_' && w[2].is_alphanumeric())
        || chunk
            .split("::")
            .filter(|part| part.chars().any(char::is_alphanumeric))
            .count()
            > 1
}

/// True when the query uses query-language syntax rather than being plain text.
/// Hyphens inside words, colons after unknown words and parentheses are plain text.
pub fn uses_syntax(text: &str) -> bool {
    if text.contains('"') {
        return true;
    }
    const FIELDS: &[&str] = &["title:", "heading:", "body:", "id:", "path:"];
    text.split_whitespace().any(|word| {
        // `-C`, `-n`: a command-line flag, not "without the word c".
        let signed = (word.starts_with('+') || word.starts_with('-'))
            && word[1..].chars().next().is_some_and(char::is_alphanumeric)
            && word[1..].chars().count() > 1;
        let fielded = FIELDS
            .iter()
            .any(|f| word.trim_start_matches(['+', '-', '(']).starts_with(f));
        signed || fielded || matches!(word, "AND" | "OR" | "NOT")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syntax_detection() {
        assert!(uses_syntax("\"liver cancer\""));
        assert!(uses_syntax("+liver -cancer"));
        assert!(uses_syntax("title:liver"));
        assert!(uses_syntax("liver AND cancer"));
        assert!(!uses_syntax(
            "Acanthamoeba - Granulomatous Amebic Encephalitis (GAE); Keratitis"
        ));
        assert!(!uses_syntax(
            "COVID-19: a review (2020) of non-small-cell cancer"
        ));
        assert!(!uses_syntax("what causes it?"));
        assert!(!uses_syntax("-C opt-level"));
        assert!(uses_syntax("-cancer liver"));
    }

    #[test]
    fn words_of_identifiers_are_not_stop_words() {
        let content = |q: &str| -> Vec<String> {
            query_words(q)
                .into_iter()
                .filter(|w| !w.stop)
                .map(|w| w.term)
                .collect()
        };
        assert_eq!(content("should_panic"), ["should", "panic"]);
        assert_eq!(content("entry or_insert"), ["entri", "or", "insert"]);
        assert_eq!(content("#![no_std]"), ["no", "std"]);
        assert_eq!(content("Vec::new"), ["vec", "new"]);
        assert_eq!(content("should I panic or not"), ["panic"]);
    }

    #[test]
    fn stop_words_are_marked_before_stemming() {
        let words = query_words("What are the symptoms of X-linked disease?");
        let content: Vec<_> = words
            .iter()
            .filter(|w| !w.stop)
            .map(|w| w.term.as_str())
            .collect();
        assert_eq!(content, ["symptom", "x", "link", "diseas"]);
    }

    #[test]
    fn reading_words_drops_stop_words_and_repeats_and_says_why() {
        let read = read_words("What causes gout? Gout & diet ?");
        assert_eq!(read.content, ["caus", "gout", "diet"]);
        assert_eq!(read.surfaces["caus"], "causes");
        assert_eq!(read.notes, [Note::Symbols(vec!["&".into(), "?".into()])]);
        let read = read_words("what is it");
        assert_eq!(read.content, ["what", "is", "it"]);
        assert_eq!(read.notes, [Note::OnlyStopWords]);
        let read = read_words("?? !!");
        assert!(read.content.is_empty() && read.words.is_empty());
        assert_eq!(read.notes, [Note::NoWords]);
    }

    #[test]
    fn long_runs_of_not_are_shortened_by_parity() {
        assert_eq!(
            limit_negations("a NOT NOT b", MAX_NOT_RUN),
            ("a NOT NOT b".to_string(), false)
        );
        let odd = format!("a {}b", "NOT ".repeat(12_001));
        assert_eq!(
            limit_negations(&odd, MAX_NOT_RUN),
            ("a NOT b".to_string(), true)
        );
        let even = format!("{}b  c", "NOT ".repeat(20));
        assert_eq!(
            limit_negations(&even, MAX_NOT_RUN),
            ("NOT NOT b c".to_string(), true)
        );
    }

    #[test]
    fn deep_parentheses_are_flattened() {
        let (text, dropped) = limit_nesting("((a)) b", 1);
        assert_eq!((text.as_str(), dropped), ("( a ) b", true));
        let deep = format!("{}x{}", "(".repeat(5000), ")".repeat(5000));
        let (text, dropped) = limit_nesting(&deep, MAX_GROUP_DEPTH);
        assert!(dropped && text.matches('(').count() == MAX_GROUP_DEPTH);
    }
}
