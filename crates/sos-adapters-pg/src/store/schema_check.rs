//! `schema.rs` is what `diesel print-schema` would write for the migrated database: this test
//! writes that text from `information_schema` and `pg_catalog` of a freshly migrated database
//! and compares it with the file, so a migration that adds, drops, retypes or reorders a column
//! (or a table, key or foreign key) fails here until `schema.rs` follows.
//!
//! `SOS_WRITE_SCHEMA=1 cargo test -p sos-adapters-pg schema_rs` rewrites the file instead.

use diesel::{
    sql_query,
    sql_types::{Bool, Integer, Text},
    PgConnection, QueryableByName, RunQueryDsl,
};
use sos_pg_local::testing::TestDb;
use std::fmt::Write as _;

/// The file as compiled into the crate.
const SCHEMA_RS: &str = include_str!("../schema.rs");

const HEADER: &str = "\
//! The diesel schema of the migrations in `/migrations`, as `diesel print-schema` writes it.
//! Do not edit by hand: `SOS_WRITE_SCHEMA=1 cargo test -p sos-adapters-pg schema_rs` rewrites
//! it from a migrated database, and that test fails while it differs.
//!
//! Array columns are declared with non-null elements (`Array<Text>`), as SOS writes them.
";

#[derive(QueryableByName)]
struct ColumnRow {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = Text)]
    udt_name: String,
    #[diesel(sql_type = Bool)]
    nullable: bool,
    #[diesel(sql_type = Integer)]
    primary_key_position: i32,
}

#[derive(QueryableByName)]
struct ForeignKeyRow {
    #[diesel(sql_type = Text)]
    child: String,
    #[diesel(sql_type = Text)]
    parent: String,
    #[diesel(sql_type = Text)]
    column_name: String,
}

/// The diesel SQL type of a PostgreSQL type (domains are read as their base type).
fn diesel_type(udt: &str) -> String {
    match udt.strip_prefix('_') {
        Some(element) => format!("Array<{}>", diesel_type(element)),
        None => match udt {
            "int8" => "Int8",
            "int4" => "Int4",
            "text" => "Text",
            "bool" => "Bool",
            "date" => "Date",
            "timestamptz" => "Timestamptz",
            "numeric" => "Numeric",
            "jsonb" => "Jsonb",
            other => panic!("no diesel type for the PostgreSQL type {other}: extend diesel_type"),
        }
        .to_owned(),
    }
}

/// The text of `schema.rs` for the database behind `conn`.
fn generate(conn: &mut PgConnection) -> String {
    let columns: Vec<ColumnRow> = sql_query(
        "SELECT c.table_name::text AS table_name, c.column_name::text AS column_name, \
           c.udt_name::text AS udt_name, c.is_nullable = 'YES' AS nullable, \
           coalesce(k.ordinal_position, 0)::int AS primary_key_position \
         FROM information_schema.columns c \
         JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name \
         LEFT JOIN information_schema.table_constraints tc ON tc.table_schema = c.table_schema \
           AND tc.table_name = c.table_name AND tc.constraint_type = 'PRIMARY KEY' \
         LEFT JOIN information_schema.key_column_usage k ON k.constraint_schema = tc.constraint_schema \
           AND k.constraint_name = tc.constraint_name AND k.column_name = c.column_name \
         WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE' \
           AND c.table_name NOT LIKE '\\_\\_diesel%' \
         ORDER BY c.table_name, c.ordinal_position",
    )
    .load(conn)
    .unwrap_or_else(|e| panic!("information_schema: {e}"));
    // Single-column foreign keys; print-schema skips a pair of tables joined more than once.
    let foreign_keys: Vec<ForeignKeyRow> = sql_query(
        "SELECT child, parent, column_name FROM ( \
           SELECT cl.relname::text AS child, pl.relname::text AS parent, a.attname::text AS column_name, \
             count(*) OVER (PARTITION BY cl.relname, pl.relname) AS n \
           FROM pg_constraint c \
           JOIN pg_class cl ON cl.oid = c.conrelid \
           JOIN pg_class pl ON pl.oid = c.confrelid \
           JOIN pg_namespace ns ON ns.oid = cl.relnamespace AND ns.nspname = 'public' \
           JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] \
           WHERE c.contype = 'f' AND cardinality(c.conkey) = 1) f \
         WHERE n = 1 ORDER BY child, parent",
    )
    .load(conn)
    .unwrap_or_else(|e| panic!("pg_constraint: {e}"));

    let mut tables: Vec<(&str, Vec<&ColumnRow>)> = Vec::new();
    for column in &columns {
        match tables.last_mut() {
            Some((name, cols)) if *name == column.table_name => cols.push(column),
            _ => tables.push((&column.table_name, vec![column])),
        }
    }
    let mut out = String::from(HEADER);
    for (name, cols) in &tables {
        let mut key: Vec<&&ColumnRow> =
            cols.iter().filter(|c| c.primary_key_position > 0).collect();
        key.sort_by_key(|c| c.primary_key_position);
        let key: Vec<&str> = key.iter().map(|c| c.column_name.as_str()).collect();
        let _ = write!(
            out,
            "\ndiesel::table! {{\n    {name} ({}) {{\n",
            key.join(", ")
        );
        for c in cols {
            let ty = diesel_type(&c.udt_name);
            let ty = if c.nullable {
                format!("Nullable<{ty}>")
            } else {
                ty
            };
            let _ = writeln!(out, "        {} -> {ty},", c.column_name);
        }
        out.push_str("    }\n}\n");
    }
    if !foreign_keys.is_empty() {
        out.push('\n');
    }
    for fk in &foreign_keys {
        let _ = writeln!(
            out,
            "diesel::joinable!({} -> {} ({}));",
            fk.child, fk.parent, fk.column_name
        );
    }
    out.push_str("\ndiesel::allow_tables_to_appear_in_same_query!(\n");
    for (name, _) in &tables {
        let _ = writeln!(out, "    {name},");
    }
    out.push_str(");\n");
    out
}

#[test]
fn schema_rs_matches_the_migrations() {
    let db = TestDb::new();
    let expected = generate(&mut db.connect());
    if std::env::var_os("SOS_WRITE_SCHEMA").is_some() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/src/schema.rs");
        std::fs::write(path, &expected).unwrap_or_else(|e| panic!("{path}: {e}"));
        return;
    }
    assert!(
        SCHEMA_RS == expected,
        "src/schema.rs differs from the migrated database; rewrite it with \
         SOS_WRITE_SCHEMA=1 cargo test -p sos-adapters-pg schema_rs. Expected:\n{expected}"
    );
}

#[test]
fn diesel_types_follow_the_postgres_names() {
    assert_eq!(diesel_type("_int8"), "Array<Int8>");
    assert_eq!(diesel_type("numeric"), "Numeric");
}

/// The check sees what a new migration would change: a column added, or one made nullable.
#[test]
fn a_schema_change_makes_the_text_differ() {
    let db = TestDb::new();
    let mut conn = db.connect();
    for change in [
        "ALTER TABLE seller ADD COLUMN note text",
        "ALTER TABLE seller DROP COLUMN note",
        "ALTER TABLE campaign ALTER COLUMN name DROP NOT NULL",
    ] {
        sql_query(change)
            .execute(&mut conn)
            .unwrap_or_else(|e| panic!("{change}: {e}"));
        let generated = generate(&mut conn);
        if change.contains("DROP COLUMN") {
            assert_eq!(
                generated, SCHEMA_RS,
                "back to the migrations after {change}"
            );
        } else {
            assert_ne!(generated, SCHEMA_RS, "{change} must show");
        }
    }
}
