//! [`Prepared`]: a fixed SQL text with bind parameters that diesel keeps as a named prepared
//! statement on its connection, so PostgreSQL parses and plans it once per connection instead of
//! on every call.
//!
//! Only for the raw SQL left (the `unnest` set writes of sync and of the calculation): SELECTs,
//! DELETEs and INSERTs built with diesel's DSL are prepared and cached by diesel itself (its
//! UPDATEs and `ON CONFLICT DO UPDATE` never are, by diesel's design). `diesel::sql_query` never
//! caches: it cannot know that its text is a fixed string. The hot statements here are fixed
//! strings with `$1..$n` parameters, which is exactly what prepared statements are for. diesel's
//! per-connection cache keys them by their SQL text and bind types.

use diesel::{
    pg::Pg,
    query_builder::{AstPass, Query, QueryFragment, QueryId},
    result::Error as DieselError,
    serialize::ToSql,
    sql_types::{HasSqlType, Untyped},
    QueryResult, RunQueryDsl,
};
use std::{borrow::Cow, marker::PhantomData};

/// A fixed SQL text whose parameters `$1..$n` each appear once, in order, with their values.
#[derive(Debug, Clone)]
pub(crate) struct Prepared<B> {
    sql: Cow<'static, str>,
    binds: B,
}

/// No values bound yet.
#[derive(Debug, Clone, Copy)]
pub(crate) struct NoBinds;

/// The values bound so far, then one more of SQL type `ST`.
#[derive(Debug, Clone)]
pub(crate) struct Bound<Prev, ST, U> {
    prev: Prev,
    value: U,
    sql_type: PhantomData<ST>,
}

impl Prepared<NoBinds> {
    /// A statement with the SQL text `sql`.
    pub(crate) fn new(sql: impl Into<Cow<'static, str>>) -> Self {
        Self {
            sql: sql.into(),
            binds: NoBinds,
        }
    }
}

impl<B> Prepared<B> {
    /// Binds the next parameter.
    pub(crate) fn bind<ST, U>(self, value: U) -> Prepared<Bound<B, ST, U>> {
        Prepared {
            sql: self.sql,
            binds: Bound {
                prev: self.binds,
                value,
                sql_type: PhantomData,
            },
        }
    }
}

/// The SQL text cut at its parameters: `n + 1` pieces for `$1..$n`, or an error when they are
/// not each used once, in order.
fn pieces(sql: &str) -> QueryResult<Vec<&str>> {
    let mut out = Vec::new();
    let mut rest = sql;
    let mut start = 0;
    let bytes = sql.as_bytes();
    let mut i = 0;
    let mut expected = 1u32;
    while i < bytes.len() {
        if bytes[i] == b'$' && bytes.get(i + 1).is_some_and(u8::is_ascii_digit) {
            let mut j = i + 1;
            while bytes.get(j).is_some_and(u8::is_ascii_digit) {
                j += 1;
            }
            let n: u32 = sql[i + 1..j].parse().unwrap_or(0);
            if n != expected {
                return Err(DieselError::QueryBuilderError(
                    format!(
                        "prepared statement parameters must be $1..$n once each, in order: {sql}"
                    )
                    .into(),
                ));
            }
            expected += 1;
            out.push(&sql[start..i]);
            start = j;
            i = j;
        } else {
            i += 1;
        }
    }
    rest = &rest[start..];
    out.push(rest);
    Ok(out)
}

/// Writes the bound values between the pieces of SQL text.
pub(crate) trait PushBinds {
    /// How many values are bound.
    const COUNT: usize;

    /// Pushes the pieces and values up to and including this one.
    fn push<'b>(&'b self, out: &mut AstPass<'_, 'b, Pg>, pieces: &[&str]) -> QueryResult<()>;
}

impl PushBinds for NoBinds {
    const COUNT: usize = 0;

    fn push<'b>(&'b self, out: &mut AstPass<'_, 'b, Pg>, pieces: &[&str]) -> QueryResult<()> {
        out.push_sql(pieces.first().copied().unwrap_or(""));
        Ok(())
    }
}

impl<Prev, ST, U> PushBinds for Bound<Prev, ST, U>
where
    Prev: PushBinds,
    Pg: HasSqlType<ST>,
    U: ToSql<ST, Pg>,
{
    const COUNT: usize = Prev::COUNT + 1;

    fn push<'b>(&'b self, out: &mut AstPass<'_, 'b, Pg>, pieces: &[&str]) -> QueryResult<()> {
        self.prev.push(out, pieces)?;
        out.push_bind_param::<ST, U>(&self.value)?;
        out.push_sql(pieces.get(Self::COUNT).copied().unwrap_or(""));
        Ok(())
    }
}

impl<B: PushBinds> QueryFragment<Pg> for Prepared<B> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        let pieces = pieces(&self.sql)?;
        if pieces.len() != B::COUNT + 1 {
            return Err(DieselError::QueryBuilderError(
                format!(
                    "{} values bound for {} parameters: {}",
                    B::COUNT,
                    pieces.len() - 1,
                    self.sql
                )
                .into(),
            ));
        }
        self.binds.push(&mut out, &pieces)
    }
}

impl<B> QueryId for Prepared<B> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<B> Query for Prepared<B> {
    type SqlType = Untyped;
}

impl<B, Conn> RunQueryDsl<Conn> for Prepared<B> {}

#[cfg(test)]
mod tests {
    use super::pieces;

    #[test]
    fn cuts_at_parameters_in_order() {
        assert_eq!(pieces("SELECT 1").ok(), Some(vec!["SELECT 1"]));
        assert_eq!(
            pieces("SELECT $1::int[], $2 WHERE x = $3").ok(),
            Some(vec!["SELECT ", "::int[], ", " WHERE x = ", ""])
        );
        assert!(pieces("SELECT $2").is_err());
        assert!(pieces("SELECT $1, $1").is_err());
        assert_eq!(
            pieces("SELECT '$' || $1").ok(),
            Some(vec!["SELECT '$' || ", ""])
        );
    }
}
