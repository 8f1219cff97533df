//! Area boundaries: which division, beat and ward a point falls in, by point-in-polygon on the
//! force's configured boundaries, loaded from GeoJSON (issue 3: "the beat/ward/division it falls in by
//! point-in-polygon look-up on configured area boundaries"). A point in none of them is outside the
//! force area: the incident keeps it, with a visible warning, never dropping it.
//!
//! One file holds every level: each feature's `level` property is `division` (the default, so a
//! divisions-only file needs none), `beat` or `ward`. Levels are looked up independently: beats are
//! policing areas inside a division, wards are local-authority areas that may cross beat lines.
//!
//! The test is the even-odd ray-casting rule, a dozen lines with property tests below; the `geo`
//! crate would bring a large dependency tree for this one function.

use serde_json::Value;

/// The kind of area a boundary draws.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Division,
    Beat,
    Ward,
}

impl Level {
    pub const ALL: &[Level] = &[Level::Division, Level::Beat, Level::Ward];

    pub fn as_str(self) -> &'static str {
        match self {
            Level::Division => "division",
            Level::Beat => "beat",
            Level::Ward => "ward",
        }
    }
}

/// One named area: a polygon's outer ring as (longitude, latitude) pairs.
#[derive(Debug, Clone, PartialEq)]
pub struct Area {
    pub name: String,
    pub level: Level,
    pub ring: Vec<(f64, f64)>,
}

/// The force's areas. Empty means "no boundaries configured": nothing is ever outside.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AreaMap {
    pub areas: Vec<Area>,
}

/// Where a point falls: the first area of each level that contains it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Place<'a> {
    pub division: Option<&'a str>,
    pub beat: Option<&'a str>,
    pub ward: Option<&'a str>,
}

/// Whether (x, y) lies inside the ring (even-odd rule; points on an edge may fall either way).
pub fn ring_contains(ring: &[(f64, f64)], x: f64, y: f64) -> bool {
    let mut inside = false;
    let n = ring.len();
    if n < 3 {
        return false;
    }
    let mut j = n - 1;
    for i in 0..n {
        let (xi, yi) = ring[i];
        let (xj, yj) = ring[j];
        if (yi > y) != (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi {
            inside = !inside;
        }
        j = i;
    }
    inside
}

impl AreaMap {
    /// The first area of `level` containing the point, by name.
    pub fn locate_level(&self, level: Level, latitude: f64, longitude: f64) -> Option<&str> {
        self.areas
            .iter()
            .filter(|a| a.level == level)
            .find(|a| ring_contains(&a.ring, longitude, latitude))
            .map(|a| a.name.as_str())
    }

    /// The division containing the point.
    pub fn locate(&self, latitude: f64, longitude: f64) -> Option<&str> {
        self.locate_level(Level::Division, latitude, longitude)
    }

    /// The division, beat and ward containing the point.
    pub fn place(&self, latitude: f64, longitude: f64) -> Place<'_> {
        Place {
            division: self.locate_level(Level::Division, latitude, longitude),
            beat: self.locate_level(Level::Beat, latitude, longitude),
            ward: self.locate_level(Level::Ward, latitude, longitude),
        }
    }

    /// Whether any configured area, of any level, contains the point.
    pub fn covers(&self, latitude: f64, longitude: f64) -> bool {
        self.areas.iter().any(|a| ring_contains(&a.ring, longitude, latitude))
    }

    pub fn is_configured(&self) -> bool {
        !self.areas.is_empty()
    }

    /// The names of the areas of one level, in file order, each once.
    pub fn names(&self, level: Level) -> Vec<&str> {
        let mut names: Vec<&str> = Vec::new();
        for a in self.areas.iter().filter(|a| a.level == level) {
            if !names.contains(&a.name.as_str()) {
                names.push(&a.name);
            }
        }
        names
    }

    /// Reads a GeoJSON FeatureCollection of Polygon or MultiPolygon features; each feature's `name`
    /// property names the area and its `level` property (`division`, `beat` or `ward`; `division` if
    /// absent) says what kind of area it is. Holes are ignored.
    pub fn from_geojson(text: &str) -> Result<AreaMap, String> {
        let value: Value = serde_json::from_str(text).map_err(|e| format!("not GeoJSON: {e}"))?;
        let features = value["features"].as_array().ok_or("expected a FeatureCollection with \"features\"")?;
        let mut areas = Vec::new();
        for (n, feature) in features.iter().enumerate() {
            let name = feature["properties"]["name"]
                .as_str()
                .ok_or_else(|| format!("feature {n} has no \"name\" property"))?
                .to_string();
            let level = match &feature["properties"]["level"] {
                Value::Null => Level::Division,
                Value::String(l) => *Level::ALL.iter().find(|x| x.as_str() == l.as_str()).ok_or_else(|| {
                    format!("feature {n} ({name}) has level \"{l}\", not \"division\", \"beat\" or \"ward\"")
                })?,
                other => return Err(format!("feature {n} ({name}) has level {other}, not a string")),
            };
            let geometry = &feature["geometry"];
            let polygons: Vec<&Value> = match geometry["type"].as_str() {
                Some("Polygon") => vec![&geometry["coordinates"]],
                Some("MultiPolygon") => {
                    geometry["coordinates"].as_array().map(|a| a.iter().collect()).unwrap_or_default()
                }
                other => return Err(format!("feature {n} ({name}) is {other:?}, not a Polygon or MultiPolygon")),
            };
            for polygon in polygons {
                let outer = polygon[0].as_array().ok_or_else(|| format!("feature {n} ({name}) has no outer ring"))?;
                let ring = outer
                    .iter()
                    .map(|p| match (p[0].as_f64(), p[1].as_f64()) {
                        (Some(x), Some(y)) => Ok((x, y)),
                        _ => Err(format!("feature {n} ({name}) has a position that is not [longitude, latitude]")),
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                if ring.len() < 4 {
                    return Err(format!("feature {n} ({name}) has a ring of fewer than 4 positions"));
                }
                areas.push(Area { name: name.clone(), level, ring });
            }
        }
        Ok(AreaMap { areas })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn rect(name: &str, level: Level, x0: f64, y0: f64, w: f64, h: f64) -> Area {
        Area { name: name.into(), level, ring: vec![(x0, y0), (x0 + w, y0), (x0 + w, y0 + h), (x0, y0 + h), (x0, y0)] }
    }

    fn square(name: &str, x0: f64, y0: f64, size: f64) -> Area {
        rect(name, Level::Division, x0, y0, size, size)
    }

    #[test]
    fn points_fall_in_the_right_area() {
        let map = AreaMap { areas: vec![square("West", 0.0, 51.0, 0.5), square("East", 0.5, 51.0, 0.5)] };
        assert_eq!(map.locate(51.2, 0.2), Some("West"));
        assert_eq!(map.locate(51.2, 0.7), Some("East"));
        assert_eq!(map.locate(52.5, 0.7), None);
        assert!(!AreaMap::default().is_configured());
    }

    #[test]
    fn a_concave_area_is_handled() {
        // An L shape: the notch is outside.
        let l = Area {
            name: "L".into(),
            level: Level::Beat,
            ring: vec![(0.0, 0.0), (2.0, 0.0), (2.0, 1.0), (1.0, 1.0), (1.0, 2.0), (0.0, 2.0), (0.0, 0.0)],
        };
        assert!(ring_contains(&l.ring, 0.5, 1.5));
        assert!(!ring_contains(&l.ring, 1.5, 1.5));
    }

    #[test]
    fn geojson_is_read_and_bad_geojson_is_explained() {
        let text = r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"North"},
            "geometry":{"type":"Polygon","coordinates":[[[0,51],[1,51],[1,52],[0,52],[0,51]]]}}]}"#;
        let map = AreaMap::from_geojson(text).expect("valid");
        assert_eq!(map.locate(51.5, 0.5), Some("North"));
        assert!(AreaMap::from_geojson("{}").expect_err("no features").contains("FeatureCollection"));
        let point = r#"{"features":[{"properties":{"name":"X"},"geometry":{"type":"Point","coordinates":[0,0]}}]}"#;
        assert!(AreaMap::from_geojson(point).expect_err("a point").contains("not a Polygon"));
    }

    #[test]
    fn levels_are_read_and_looked_up_independently() {
        let text = r#"{"type":"FeatureCollection","features":[
            {"type":"Feature","properties":{"name":"North"},
             "geometry":{"type":"Polygon","coordinates":[[[0,51],[1,51],[1,52],[0,52],[0,51]]]}},
            {"type":"Feature","properties":{"name":"N1 Harbourne","level":"beat"},
             "geometry":{"type":"Polygon","coordinates":[[[0,51],[0.5,51],[0.5,52],[0,52],[0,51]]]}},
            {"type":"Feature","properties":{"name":"Castle","level":"ward"},
             "geometry":{"type":"Polygon","coordinates":[[[0.4,51.4],[0.6,51.4],[0.6,51.6],[0.4,51.6],[0.4,51.4]]]}}]}"#;
        let map = AreaMap::from_geojson(text).expect("valid");
        let place = map.place(51.5, 0.45);
        assert_eq!(place, Place { division: Some("North"), beat: Some("N1 Harbourne"), ward: Some("Castle") });
        assert_eq!(map.locate(51.5, 0.45), Some("North"), "locate is the division");
        assert_eq!(map.place(51.5, 0.7), Place { division: Some("North"), beat: None, ward: None });
        assert!(map.covers(51.5, 0.7) && !map.covers(50.0, 0.7));
        assert_eq!(map.names(Level::Beat), vec!["N1 Harbourne"]);
        let bad = text.replace(r#""level":"ward""#, r#""level":"parish""#);
        let e = AreaMap::from_geojson(&bad).expect_err("unknown level");
        assert!(e.contains("feature 2 (Castle) has level \"parish\""), "{e}");
    }

    /// A point in a beat's or ward's polygon only, with no division around it, is still inside the
    /// force area (and counts as such for the outside-the-area warning).
    #[test]
    fn any_level_counts_as_inside() {
        let map = AreaMap { areas: vec![rect("Isle", Level::Ward, 2.0, 2.0, 1.0, 1.0)] };
        assert!(map.covers(2.5, 2.5));
        assert_eq!(map.place(2.5, 2.5), Place { division: None, beat: None, ward: Some("Isle") });
    }

    proptest! {
        /// Beats tiling a division in a grid: every point strictly inside a cell gets that cell's beat,
        /// the division around it, and the ward it lies in, whatever order the features come in.
        #[test]
        fn a_point_gets_the_beat_and_ward_whose_bounds_hold_it(
            x in 0.0f64..1.0, y in 0.0f64..1.0, cols in 1usize..5, rows in 1usize..5, reversed: bool,
        ) {
            let (w, h) = (1.0 / cols as f64, 1.0 / rows as f64);
            let mut areas = vec![rect("D", Level::Division, 0.0, 0.0, 1.0, 1.0)];
            for c in 0..cols {
                for r in 0..rows {
                    areas.push(rect(&format!("B{c}.{r}"), Level::Beat, c as f64 * w, r as f64 * h, w, h));
                }
            }
            // Two wards split the division at x = 0.3, across the beat lines.
            areas.push(rect("West ward", Level::Ward, 0.0, 0.0, 0.3, 1.0));
            areas.push(rect("East ward", Level::Ward, 0.3, 0.0, 0.7, 1.0));
            if reversed { areas.reverse(); }
            let map = AreaMap { areas };
            let (c, r) = ((x / w).floor(), (y / h).floor());
            let near_a_line = |v: f64, step: f64| ((v / step) - (v / step).round()).abs() < 1e-9;
            prop_assume!(!near_a_line(x, w) && !near_a_line(y, h) && (x - 0.3).abs() > 1e-9);
            let place = map.place(y, x);
            let expected = format!("B{}.{}", c as usize, r as usize);
            prop_assert_eq!(place.beat, Some(expected.as_str()));
            prop_assert_eq!(place.division, Some("D"));
            prop_assert_eq!(place.ward, Some(if x < 0.3 { "West ward" } else { "East ward" }));
        }

        /// Whatever is found lies inside the area found, and nothing is found outside every area.
        #[test]
        fn what_is_found_contains_the_point(x in -1.0f64..3.0, y in -1.0f64..3.0) {
            let map = AreaMap { areas: vec![
                rect("D1", Level::Division, 0.0, 0.0, 1.0, 2.0),
                rect("D2", Level::Division, 1.0, 0.0, 1.0, 2.0),
                rect("B", Level::Beat, 0.5, 0.5, 1.0, 1.0),
                rect("W", Level::Ward, 0.0, 1.0, 2.0, 1.0),
            ]};
            let place = map.place(y, x);
            for (level, found) in [(Level::Division, place.division), (Level::Beat, place.beat), (Level::Ward, place.ward)] {
                if let Some(name) = found {
                    let area = map.areas.iter().find(|a| a.level == level && a.name == name).expect("found area exists");
                    prop_assert!(ring_contains(&area.ring, x, y));
                }
            }
            let in_none = map.areas.iter().all(|a| !ring_contains(&a.ring, x, y));
            prop_assert_eq!(!map.covers(y, x), in_none);
            if in_none { prop_assert_eq!(place, Place::default()); }
        }

        #[test]
        fn inside_a_rectangle_exactly_when_within_its_bounds(x in -1.0f64..2.0, y in -1.0f64..2.0) {
            let r = square("R", 0.0, 0.0, 1.0);
            let strictly_inside = x > 0.0 && x < 1.0 && y > 0.0 && y < 1.0;
            let strictly_outside = !(0.0..=1.0).contains(&x) || !(0.0..=1.0).contains(&y);
            if strictly_inside { prop_assert!(ring_contains(&r.ring, x, y)); }
            if strictly_outside { prop_assert!(!ring_contains(&r.ring, x, y)); }
        }

        #[test]
        fn ring_orientation_does_not_matter(x in -1.0f64..2.0, y in -1.0f64..2.0) {
            let r = square("R", 0.0, 0.0, 1.0);
            let mut reversed = r.ring.clone();
            reversed.reverse();
            prop_assert_eq!(ring_contains(&r.ring, x, y), ring_contains(&reversed, x, y));
        }
    }
}
