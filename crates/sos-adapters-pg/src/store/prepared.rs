//! [`Prepared`]: a raw SQL query that diesel keeps as a named prepared statement on its
//! connection, so PostgreSQL parses and plans it once per connection instead of on every call.
//!
//! `diesel::sql_query` never caches (it cannot know that its text is a fixed string); the hot
//! statements here are fixed strings with bind parameters, which is exactly what prepared
//! statements are for. diesel's per-connection cache keys them by their SQL text and bind types.

use diesel::{
    pg::Pg,
    query_builder::{AstPass, Query, QueryFragment, QueryId},
    QueryResult, RunQueryDsl,
};

/// Wraps a `sql_query(...)` (with its binds) whose SQL text is fixed, so that it is prepared once
/// per connection and reused.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Prepared<Q>(pub(crate) Q);

impl<Q: QueryFragment<Pg>> QueryFragment<Pg> for Prepared<Q> {
    fn walk_ast<'b>(&'b self, pass: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        self.0.walk_ast(pass)
    }

    fn is_safe_to_cache_prepared(&self, _backend: &Pg) -> QueryResult<bool> {
        Ok(true)
    }
}

impl<Q> QueryId for Prepared<Q> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<Q: Query> Query for Prepared<Q> {
    type SqlType = Q::SqlType;
}

impl<Q, Conn> RunQueryDsl<Conn> for Prepared<Q> {}
