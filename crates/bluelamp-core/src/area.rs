//! Area boundaries: which division (or beat, or ward) a point falls in, by point-in-polygon on the
//! force's configured boundaries, loaded from GeoJSON. A point in none of them is outside the force
//! area: the incident keeps it, with a visible warning, never dropping it.
//!
//! The test is the even-odd ray-casting rule, a dozen lines with property tests below; the `geo`
//! crate would bring a large dependency tree for this one function.

use serde_json::Value;

/// One named area: a polygon's outer ring as (longitude, latitude) pairs.
#[derive(Debug, Clone, PartialEq)]
pub struct Area {
    pub name: String,
    pub ring: Vec<(f64, f64)>,
}

/// The force's areas. Empty means "no boundaries configured": nothing is ever outside.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AreaMap {
    pub areas: Vec<Area>,
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
    /// The first area containing the point, by name.
    pub fn locate(&self, latitude: f64, longitude: f64) -> Option<&str> {
        self.areas.iter().find(|a| ring_contains(&a.ring, longitude, latitude)).map(|a| a.name.as_str())
    }

    pub fn is_configured(&self) -> bool {
        !self.areas.is_empty()
    }

    /// Reads a GeoJSON FeatureCollection of Polygon or MultiPolygon features; each feature's
    /// `name` property names the area. Holes are ignored.
    pub fn from_geojson(text: &str) -> Result<AreaMap, String> {
        let value: Value = serde_json::from_str(text).map_err(|e| format!("not GeoJSON: {e}"))?;
        let features = value["features"].as_array().ok_or("expected a FeatureCollection with \"features\"")?;
        let mut areas = Vec::new();
        for (n, feature) in features.iter().enumerate() {
            let name = feature["properties"]["name"]
                .as_str()
                .ok_or_else(|| format!("feature {n} has no \"name\" property"))?
                .to_string();
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
                areas.push(Area { name: name.clone(), ring });
            }
        }
        Ok(AreaMap { areas })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn square(name: &str, x0: f64, y0: f64, size: f64) -> Area {
        Area {
            name: name.into(),
            ring: vec![(x0, y0), (x0 + size, y0), (x0 + size, y0 + size), (x0, y0 + size), (x0, y0)],
        }
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

    proptest! {
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
