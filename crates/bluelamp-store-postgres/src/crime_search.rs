//! Crime search on PostgreSQL. The query is built from constant pieces, one per filter of
//! [`CrimeSearch`], with every value bound as a numbered parameter; nothing typed reaches the SQL
//! text. A page is read newest recorded first from an index; the total is counted up to the cap. A
//! radius is an index range on its bounding box, then the core's exact distance (`search_radius`).

use bluelamp_core::Result;
use bluelamp_core::crime::{Crime, CrimeFlag};
use bluelamp_core::crime_search::{CrimeSearch, NumberMatch, Radius, TOTAL_CAP};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::crime::crime_from_row;
use crate::{PostgresStore, get, map_err};

/// A value bound to one `$n`.
enum Value {
    Text(String),
    Id(Uuid),
    Ids(Vec<Uuid>),
    Texts(Vec<String>),
    Real(f64),
    Time(DateTime<Utc>),
}

/// The conditions (ANDed) and their values; `$n` is the n-th value.
#[derive(Default)]
struct Filter {
    sql: Vec<String>,
    values: Vec<Value>,
}

impl Filter {
    /// Adds a condition whose `{}`s are the next parameters, in order.
    fn add(&mut self, template: &str, values: impl IntoIterator<Item = Value>) {
        let mut sql = String::new();
        let mut pieces = template.split("{}");
        sql.push_str(pieces.next().unwrap_or(""));
        for (value, piece) in values.into_iter().zip(pieces) {
            self.values.push(value);
            sql.push_str(&format!("${}", self.values.len()));
            sql.push_str(piece);
        }
        self.sql.push(sql);
    }

    fn clause(&self) -> String {
        if self.sql.is_empty() { String::new() } else { format!("WHERE {}", self.sql.join(" AND ")) }
    }

    /// The placeholder the next value will take.
    fn next(&self) -> usize {
        self.values.len() + 1
    }

    fn bind<'q>(
        &'q self,
        mut q: sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments>,
    ) -> sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments> {
        for v in &self.values {
            q = match v {
                Value::Text(t) => q.bind(t.as_str()),
                Value::Id(id) => q.bind(*id),
                Value::Ids(ids) => q.bind(ids.as_slice()),
                Value::Texts(texts) => q.bind(texts.as_slice()),
                Value::Real(r) => q.bind(*r),
                Value::Time(t) => q.bind(*t),
            };
        }
        q
    }
}

/// A flag's code followed by the comma that ends it in the stored list: one of `CrimeFlag`'s
/// constants, which are lower-case letters and hyphens only.
fn flag_code(flag: CrimeFlag) -> String {
    let code = flag.as_str();
    debug_assert!(code.chars().all(|c| c.is_ascii_lowercase() || c == '-'));
    format!("{code},")
}

fn filter(s: &CrimeSearch) -> Filter {
    use Value::*;
    let mut f = Filter::default();
    match &s.number {
        Some(NumberMatch::Exact(n)) => f.add(r#"upper(number) COLLATE "C" = {}"#, [Text(n.clone())]),
        Some(NumberMatch::Prefix(p)) => f.add(
            r#"upper(number) COLLATE "C" >= {} AND upper(number) COLLATE "C" < {}"#,
            [Text(p.clone()), Text(format!("{p}\u{FFFF}"))],
        ),
        None => {}
    }
    if let Some(people) = &s.people {
        match s.role {
            Some(role) => f.add(
                "id IN (SELECT crime_id FROM crime_person WHERE person_id = ANY({}) AND role = {})",
                [Ids(people.clone()), Text(role.as_str().into())],
            ),
            None => f.add("id IN (SELECT crime_id FROM crime_person WHERE person_id = ANY({}))", [Ids(people.clone())]),
        }
    }
    if let Some(keys) = &s.object_keys {
        f.add(
            "id IN (SELECT co.crime_id FROM pole_object o JOIN crime_object co ON co.object_id = o.id \
             WHERE o.identifier_key = ANY({}))",
            [Texts(keys.clone())],
        );
    }
    if let Some(r) = &s.radius {
        let b = r.bounding_box();
        f.add(
            "latitude BETWEEN {} AND {} AND longitude BETWEEN {} AND {}",
            [Real(b.min_lat), Real(b.max_lat), Real(b.min_lon), Real(b.max_lon)],
        );
    }
    if let Some(d) = &s.division {
        f.add("division = {}", [Text(d.clone())]);
    }
    if let Some(c) = &s.offence_code {
        f.add("offence_code = {}", [Text(c.clone())]);
    }
    if let Some(g) = s.offence_group {
        f.add("offence_group = {}", [Text(g.as_str().into())]);
    }
    for flag in &s.flags {
        // Flags are stored comma-separated; with commas round both, a code matches only itself. The
        // code is a constant of `CrimeFlag` (never typed text), written into the SQL so that the
        // flag's partial index (migration 14, the same expression) is used.
        f.add(&format!("strpos(',' || flags || ',', ',{}') > 0", flag_code(*flag)), []);
    }
    if let Some(from) = s.recorded.from {
        f.add("recorded_at >= {}", [Time(from)]);
    }
    if let Some(to) = s.recorded.to {
        f.add("recorded_at < {}", [Time(to)]);
    }
    if let Some(to) = s.occurred.to {
        f.add("occurred_from < {}", [Time(to)]);
    }
    if let Some(from) = s.occurred.from {
        f.add("coalesce(occurred_to, occurred_from) >= {}", [Time(from)]);
    }
    if let Some(u) = s.recorded_by {
        f.add("recorded_by = {}", [Id(u)]);
    }
    if let Some(st) = s.status {
        f.add("status = {}", [Text(st.as_str().into())]);
    }
    f
}

pub(crate) async fn search_crimes(store: &PostgresStore, s: &CrimeSearch) -> Result<(Vec<Crime>, u64)> {
    if let Some(radius) = &s.radius {
        return search_radius(store, s, radius).await;
    }
    let f = filter(s);
    let pool = store.pool();
    let sql = format!(
        "SELECT * FROM crime {} ORDER BY recorded_at DESC, id DESC LIMIT ${} OFFSET ${}",
        f.clause(),
        f.next(),
        f.next() + 1
    );
    let crimes = f
        .bind(sqlx::query(sqlx::AssertSqlSafe(sql)))
        .bind(i64::from(s.limit))
        .bind(i64::from(s.offset))
        .fetch_all(pool)
        .await
        .map_err(map_err)?
        .iter()
        .map(crime_from_row)
        .collect::<Result<Vec<_>>>()?;
    // A short page that is not past the end says the total without counting.
    if crimes.len() < s.limit as usize && (s.offset == 0 || !crimes.is_empty()) {
        let total = u64::from(s.offset) + crimes.len() as u64;
        return Ok((crimes, total.min(TOTAL_CAP + 1)));
    }
    let sql =
        format!("SELECT count(*) AS n FROM (SELECT 1 FROM crime {} LIMIT {}) AS capped", f.clause(), TOTAL_CAP + 1);
    let row = f.bind(sqlx::query(sqlx::AssertSqlSafe(sql))).fetch_one(pool).await.map_err(map_err)?;
    let total: i64 = get(&row, "n")?;
    Ok((crimes, total.max(0) as u64))
}

/// A radius: the crimes in the circle's bounding box (an index range that also holds the place, time
/// and id, so no table rows are read), kept if `Radius::contains` puts them within the distance,
/// then sorted and paged here. The work grows with the crimes in the box: a 2 km radius in a town
/// centre over five years is tens of thousands.
async fn search_radius(store: &PostgresStore, s: &CrimeSearch, radius: &Radius) -> Result<(Vec<Crime>, u64)> {
    let f = filter(s);
    let sql = format!("SELECT id, latitude, longitude, recorded_at FROM crime {}", f.clause());
    let mut hits: Vec<(DateTime<Utc>, Uuid)> = Vec::new();
    for row in f.bind(sqlx::query(sqlx::AssertSqlSafe(sql))).fetch_all(store.pool()).await.map_err(map_err)? {
        let (lat, lon): (Option<f64>, Option<f64>) = (get(&row, "latitude")?, get(&row, "longitude")?);
        if let (Some(lat), Some(lon)) = (lat, lon)
            && radius.contains(lat, lon)
        {
            hits.push((get(&row, "recorded_at")?, get(&row, "id")?));
        }
    }
    hits.sort_unstable_by(|a, b| b.cmp(a));
    let total = hits.len() as u64;
    let page: Vec<Uuid> = hits.into_iter().skip(s.offset as usize).take(s.limit as usize).map(|(_, id)| id).collect();
    Ok((load(store, &page).await?, total.min(TOTAL_CAP + 1)))
}

/// The crimes with these ids, in the order given.
async fn load(store: &PostgresStore, ids: &[Uuid]) -> Result<Vec<Crime>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut crimes = sqlx::query("SELECT * FROM crime WHERE id = ANY($1)")
        .bind(ids)
        .fetch_all(store.pool())
        .await
        .map_err(map_err)?
        .iter()
        .map(crime_from_row)
        .collect::<Result<Vec<_>>>()?;
    crimes.sort_by_key(|c| ids.iter().position(|id| *id == c.id));
    Ok(crimes)
}
