//! The first stage's BM25 statistics, read from what the query plan already
//! looked up.

use tantivy::query::Bm25StatisticsProvider;
use tantivy::schema::Field;
use tantivy::{Searcher, Term};

/// BM25 statistics of the first stage: a term's document frequency from the
/// plan's cache of title/heading/body frequencies when it is there (the plan
/// looked up every searched term already), else from the searcher; token totals
/// of the text fields computed once per engine.
pub struct Statistics<'a> {
    pub searcher: &'a Searcher,
    /// Title, heading and body, in [`crate::schema::Fields::text_fields`] order.
    pub fields: [Field; 3],
    /// The cached frequencies of a term text, if any.
    pub cached: &'a dyn Fn(&str) -> Option<[u64; 3]>,
    /// Token totals of `fields`, computed on first use.
    pub totals: &'a std::sync::OnceLock<[u64; 3]>,
}

impl Bm25StatisticsProvider for Statistics<'_> {
    fn total_num_tokens(&self, field: Field) -> tantivy::Result<u64> {
        let Some(f) = self.fields.iter().position(|&x| x == field) else {
            return self.searcher.total_num_tokens(field);
        };
        if let Some(totals) = self.totals.get() {
            return Ok(totals[f]);
        }
        let mut totals = [0u64; 3];
        for (t, &field) in totals.iter_mut().zip(&self.fields) {
            *t = self.searcher.total_num_tokens(field)?;
        }
        Ok(self.totals.get_or_init(|| totals)[f])
    }

    fn total_num_docs(&self) -> tantivy::Result<u64> {
        self.searcher.total_num_docs()
    }

    fn doc_freq(&self, term: &Term) -> tantivy::Result<u64> {
        if let Some(f) = self.fields.iter().position(|&x| x == term.field())
            && let Some(text) = term.value().as_str()
            && let Some(dfs) = (self.cached)(text)
        {
            return Ok(dfs[f]);
        }
        self.searcher.doc_freq(term)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The scores of a search through [`Statistics`] equal the searcher's own, for
    /// a term whose frequencies are cached (from the searcher) and one that is not;
    /// a wrong cache entry would change them.
    #[test]
    fn statistics_give_the_searchers_scores() {
        use tantivy::collector::TopDocs;
        use tantivy::query::{BooleanQuery, Occur, Query, TermQuery};
        use tantivy::schema::{IndexRecordOption, Schema, TEXT};
        use tantivy::{Index, doc};
        let mut schema = Schema::builder();
        let title = schema.add_text_field("title", TEXT);
        let heading = schema.add_text_field("heading", TEXT);
        let body = schema.add_text_field("body", TEXT);
        let index = Index::create_in_ram(schema.build());
        let mut writer = index.writer_with_num_threads(1, 15_000_000).unwrap();
        for (t, h, b) in [
            ("gout", "causes", "gout joints pain"),
            ("pain", "treatment", "pain relief for gout"),
            ("other", "causes", "nothing of the kind here at all"),
        ] {
            writer
                .add_document(doc!(title => t, heading => h, body => b))
                .unwrap();
        }
        writer.commit().unwrap();
        writer
            .add_document(doc!(title => "gout", body => "gout again"))
            .unwrap();
        writer.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        let fields = [title, heading, body];
        let dfs = |text: &str| {
            fields.map(|f| searcher.doc_freq(&Term::from_field_text(f, text)).unwrap())
        };
        let gout = dfs("gout");
        let cached = |text: &str| (text == "gout").then_some(gout);
        let totals = std::sync::OnceLock::new();
        let statistics = Statistics {
            searcher: &searcher,
            fields,
            cached: &cached,
            totals: &totals,
        };
        let clauses: Vec<(Occur, Box<dyn Query>)> = ["gout", "pain"]
            .iter()
            .flat_map(|text| fields.map(|f| (f, *text)))
            .map(|(f, text)| {
                let q: Box<dyn Query> = Box::new(TermQuery::new(
                    Term::from_field_text(f, text),
                    IndexRecordOption::WithFreqs,
                ));
                (Occur::Should, q)
            })
            .collect();
        let query = BooleanQuery::new(clauses);
        let top = TopDocs::with_limit(10).order_by_score();
        let plain = searcher.search(&query, &top).unwrap();
        let through = searcher
            .search_with_statistics_provider(&query, &top, &statistics)
            .unwrap();
        assert_eq!(plain.len(), 3);
        assert_eq!(plain, through);
        assert!(totals.get().is_some());
        // A wrong frequency changes the scores: the test can fail.
        let wrong = |text: &str| (text == "gout").then_some([1, 1, 1]);
        let lying = Statistics {
            cached: &wrong,
            ..statistics
        };
        let off = searcher
            .search_with_statistics_provider(&query, &top, &lying)
            .unwrap();
        assert_ne!(plain, off);
    }
}
