//! Merging duplicate people, and undoing it (issue 4: "Merge: requested, reviewed, applied in one
//! transaction that re-points every link, audited, and reversible").
//!
//! Someone who records people asks for person B (the duplicate) to be merged into person A (the
//! survivor), saying why; the request keeps the match score and reasons from [`crate::person::score`]
//! as they were then. A reviewer (a different person, holding `person.merge`) applies or rejects it.
//! Applying moves B's addresses, phones, markers and incident and crime links to A, copies B's names
//! to A as aliases, and marks B merged into A, in one transaction that records exactly what moved;
//! undoing it moves exactly those rows back and nothing that was added to A since.
//!
//! What is not moved stays with B and is recorded as such: a link A already has (the same incident
//! or crime in the same role), a phone number A already has, an address A already has over the same
//! dates. B keeps its own names, so its page still reads "Jane Smyth, merged into Jane Smith"; it no
//! longer appears in searches or as a likely duplicate.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::access::{Permission, named_enum};
use crate::audit::{Actor, AuditCategory, NewAuditEvent, RequestContext};
use crate::core::{By, Core};
use crate::error::FieldError;
use crate::incident::{address_key, phone_key, text_rule};
use crate::person::{DUPLICATE_SCORE, NameKind, Person, PersonMatch, PersonName, PersonSearch, name_key, score};
use crate::{Error, Result};

named_enum!(
    /// Where a merge request is: requested → applied → reversed, or requested → rejected.
    MergeStatus {
        Requested => "requested", "Awaiting review";
        Applied => "applied", "Merged";
        Rejected => "rejected", "Rejected";
        Reversed => "reversed", "Merge undone";
    }
);

named_enum!(
    /// What kind of row a merge moved (or left where it was).
    MoveKind {
        Name => "name", "Name";
        Address => "address", "Address";
        Phone => "phone", "Phone number";
        Marker => "marker", "Marker";
        Incident => "incident", "Incident link";
        Crime => "crime", "Crime link";
    }
);

/// Who decided, when and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub by_id: Option<Uuid>,
    pub by_name: String,
    pub at: DateTime<Utc>,
    /// Required to reject and to undo; none when applying.
    pub reason: Option<String>,
}

/// A request to merge `duplicate_id` into `survivor_id`, and what became of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonMerge {
    pub id: Uuid,
    pub survivor_id: Uuid,
    pub duplicate_id: Uuid,
    /// The names used when the merge was requested (for lists; the pages show the people as they are).
    pub survivor_name: String,
    pub duplicate_name: String,
    pub status: MergeStatus,
    /// Why the requester thinks they are the same person.
    pub reason: String,
    /// [`crate::person::score`] of the duplicate against the survivor when requested, with its reasons.
    pub score: u32,
    pub match_reasons: Vec<String>,
    pub requested_by_id: Option<Uuid>,
    pub requested_by_name: String,
    pub requested_at: DateTime<Utc>,
    /// The review: applied or rejected.
    pub decided: Option<Decision>,
    /// The undoing of an applied merge.
    pub reversed: Option<Decision>,
}

impl PersonMerge {
    /// Whether `actor` asked for this merge (the four-eyes rule keeps them from deciding it).
    pub fn requested_by(&self, actor: &Actor) -> bool {
        match (self.requested_by_id, actor.id) {
            (Some(a), Some(b)) => a == b,
            _ => self.requested_by_name == actor.name,
        }
    }

    pub fn involves(&self, person_id: Uuid) -> bool {
        self.survivor_id == person_id || self.duplicate_id == person_id
    }

    fn audit_json(&self) -> serde_json::Value {
        serde_json::json!({
            "merge": self.id,
            "survivor": self.survivor_id,
            "duplicate": self.duplicate_id,
            "status": self.status.as_str(),
            "score": self.score,
            "match_reasons": self.match_reasons,
        })
    }
}

/// One row a merge moved from the duplicate to the survivor (`moved`), or left with the duplicate
/// because the survivor already had it. Names are copies made on the survivor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MergeMove {
    pub kind: MoveKind,
    /// The address, phone or marker id, or the incident or crime id of a link; none for names.
    pub ref_id: Option<Uuid>,
    /// The link's role; empty for the others.
    pub role: String,
    /// A name's full text and kind ("Jane Smyth (alias)"); empty for the others.
    pub detail: String,
    pub moved: bool,
}

/// Counts of moved and kept rows by kind, for audit events and pages.
pub fn summarise(moves: &[MergeMove]) -> Vec<(MoveKind, usize, usize)> {
    MoveKind::ALL
        .iter()
        .map(|k| {
            let of_kind = moves.iter().filter(|m| m.kind == *k);
            let moved = of_kind.clone().filter(|m| m.moved).count();
            (*k, moved, of_kind.count() - moved)
        })
        .filter(|(_, moved, kept)| moved + kept > 0)
        .collect()
}

fn summary_json(moves: &[MergeMove]) -> serde_json::Value {
    let mut map = serde_json::Map::new();
    for (kind, moved, kept) in summarise(moves) {
        map.insert(kind.as_str().to_string(), serde_json::json!({ "moved": moved, "kept": kept }));
    }
    serde_json::Value::Object(map)
}

// ---- Pure rules ---------------------------------------------------------------------------------

/// What to search for to find people like `p`: their name used, date of birth, current (else
/// latest) address and first phone number.
pub fn search_for(p: &Person) -> PersonSearch {
    let name = p.names.first().map(|n| format!("{}, {}", n.surname, n.forenames)).unwrap_or_default();
    PersonSearch {
        name,
        date_of_birth: p.date_of_birth,
        address: p.current_address().or(p.addresses.last()).map(|a| a.text.clone()).unwrap_or_default(),
        phone: p.phones.first().map(|ph| ph.number.clone()).unwrap_or_default(),
    }
}

/// How alike `other` is to `person`, and why: the best [`score`] of `other` against each of
/// `person`'s names with each of their addresses and phone numbers.
pub fn likeness(person: &Person, other: &Person) -> (u32, Vec<String>) {
    let names: Vec<String> = person.names.iter().map(|n| format!("{}, {}", n.surname, n.forenames)).collect();
    let addresses: Vec<String> = person.addresses.iter().map(|a| a.text.clone()).collect();
    let phones: Vec<String> = person.phones.iter().map(|p| p.number.clone()).collect();
    let or_blank = |v: Vec<String>| if v.is_empty() { vec![String::new()] } else { v };
    let mut best: (u32, Vec<String>) = (0, Vec::new());
    for name in or_blank(names) {
        for address in or_blank(addresses.clone()) {
            for phone in or_blank(phones.clone()) {
                let search = PersonSearch {
                    name: name.clone(),
                    date_of_birth: person.date_of_birth,
                    address: address.clone(),
                    phone,
                };
                let found = score(other, &search);
                if found.0 > best.0 {
                    best = found;
                }
            }
        }
    }
    best
}

/// The rows of the duplicate's own record a merge moves or copies (links are found by the store,
/// inside the transaction).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MergePlan {
    /// Names to add to the survivor, in order: the duplicate's name used becomes an alias, its
    /// other names keep their kind; names the survivor already has are left out.
    pub names: Vec<PersonName>,
    pub addresses: Vec<Uuid>,
    /// Addresses the survivor already has over the same dates: they stay with the duplicate.
    pub kept_addresses: Vec<Uuid>,
    pub phones: Vec<Uuid>,
    /// Numbers the survivor already has: they stay with the duplicate.
    pub kept_phones: Vec<Uuid>,
    pub markers: Vec<Uuid>,
}

/// Decides which of the duplicate's names, addresses, phones and markers go to the survivor. Pure.
pub fn plan(survivor: &Person, duplicate: &Person) -> MergePlan {
    let mut plan = MergePlan::default();
    let mut known_names: Vec<String> = survivor.names.iter().map(|n| name_key(&n.full())).collect();
    for n in &duplicate.names {
        let key = name_key(&n.full());
        if known_names.contains(&key) {
            continue;
        }
        known_names.push(key);
        let kind = if n.kind == NameKind::Primary { NameKind::Alias } else { n.kind };
        plan.names.push(PersonName { kind, forenames: n.forenames.clone(), surname: n.surname.clone() });
    }
    for a in &duplicate.addresses {
        let same = survivor
            .addresses
            .iter()
            .any(|s| address_key(&s.text) == address_key(&a.text) && s.from == a.from && s.to == a.to);
        if same { plan.kept_addresses.push(a.id) } else { plan.addresses.push(a.id) }
    }
    let mut known_phones: Vec<String> = survivor.phones.iter().map(|p| phone_key(&p.number)).collect();
    for p in &duplicate.phones {
        let key = phone_key(&p.number);
        if known_phones.contains(&key) {
            plan.kept_phones.push(p.id);
        } else {
            known_phones.push(key);
            plan.phones.push(p.id);
        }
    }
    plan.markers = duplicate.markers.iter().map(|m| m.id).collect();
    plan
}

fn reason_rule(errors: &mut Vec<FieldError>, reason: &str, what: &str) {
    text_rule(errors, "reason", reason, true, 1000, what);
}

/// The rules for asking to merge `duplicate` into `survivor`; `open` is every request still
/// awaiting review that involves either of them.
pub fn check_request(
    survivor: &Person,
    duplicate: &Person,
    reason: &str,
    open: &[PersonMerge],
) -> Result<(), Vec<FieldError>> {
    let mut errors = Vec::new();
    if survivor.id == duplicate.id {
        errors.push(FieldError::new("duplicate_id", "A person cannot be merged into themselves"));
    }
    if survivor.merged_into.is_some() {
        errors.push(FieldError::new(
            "survivor_id",
            format!("{} has already been merged into another record", survivor.display_name()),
        ));
    }
    if duplicate.merged_into.is_some() && survivor.id != duplicate.id {
        errors.push(FieldError::new(
            "duplicate_id",
            format!("{} has already been merged into another record", duplicate.display_name()),
        ));
    }
    if open.iter().any(|m| m.status == MergeStatus::Requested && m.involves(survivor.id) && m.involves(duplicate.id)) {
        errors.push(FieldError::new(
            "duplicate_id",
            format!(
                "A merge of {} and {} is already awaiting review",
                survivor.display_name(),
                duplicate.display_name()
            ),
        ));
    }
    reason_rule(&mut errors, reason, "why you think they are the same person");
    if errors.is_empty() { Ok(()) } else { Err(errors) }
}

/// Whether `reviewer` may decide (apply or reject) `merge` now: it must still await review
/// (`Conflict` otherwise), and the reviewer must not be the requester (four eyes: `Forbidden`).
pub fn check_decision(merge: &PersonMerge, reviewer: &Actor) -> Result<()> {
    if merge.status != MergeStatus::Requested {
        return Err(Error::Conflict(format!(
            "This merge has already been decided ({})",
            merge.status.label().to_lowercase()
        )));
    }
    if merge.requested_by(reviewer) {
        return Err(Error::Forbidden(
            "the person who asked for a merge cannot also review it; another reviewer must".into(),
        ));
    }
    Ok(())
}

/// Both people must still be on record as themselves when a merge is applied.
pub fn check_apply(survivor: &Person, duplicate: &Person) -> Result<(), Vec<FieldError>> {
    let mut errors = Vec::new();
    if survivor.merged_into.is_some() {
        errors.push(FieldError::new(
            "survivor_id",
            format!("{} has since been merged into another record; ask again", survivor.display_name()),
        ));
    }
    if duplicate.merged_into.is_some() {
        errors.push(FieldError::new(
            "duplicate_id",
            format!("{} has since been merged into another record", duplicate.display_name()),
        ));
    }
    if errors.is_empty() { Ok(()) } else { Err(errors) }
}

/// The rules for undoing an applied merge: a reason, and both people as the merge left them (the
/// survivor not merged away since: undo that later merge first).
pub fn check_unmerge(
    merge: &PersonMerge,
    survivor: &Person,
    duplicate: &Person,
    reason: &str,
) -> Result<(), Vec<FieldError>> {
    let mut errors = Vec::new();
    if merge.status != MergeStatus::Applied {
        errors.push(FieldError::new(
            "status",
            format!("Only an applied merge can be undone; this one is {}", merge.status.label().to_lowercase()),
        ));
    } else {
        if survivor.merged_into.is_some() {
            errors.push(FieldError::new(
                "survivor_id",
                format!("{} has since been merged into another record; undo that merge first", survivor.display_name()),
            ));
        }
        if duplicate.merged_into != Some(survivor.id) {
            errors.push(FieldError::new(
                "duplicate_id",
                format!("{} is no longer merged into {}", duplicate.display_name(), survivor.display_name()),
            ));
        }
    }
    reason_rule(&mut errors, reason, "why the merge is being undone");
    if errors.is_empty() { Ok(()) } else { Err(errors) }
}

// ---- Store writes -------------------------------------------------------------------------------

/// Applying a merge, for [`crate::store::Store::apply_person_merge`]. In one transaction the store
/// marks the request applied if it still awaits review, bumps the survivor's version and marks the
/// duplicate merged (each only if still at the version given and not merged away, else `Conflict`),
/// carries out the plan, moves every incident and crime link the survivor does not already have,
/// records each row moved or kept, and appends the event `audit` makes from those records.
pub struct MergeApplyWrite<'a> {
    /// The request as applied (status, decision).
    pub merge: &'a PersonMerge,
    pub survivor_version: i64,
    pub duplicate_version: i64,
    pub plan: &'a MergePlan,
    pub audit: &'a (dyn Fn(&[MergeMove]) -> NewAuditEvent + Send + Sync),
}

/// Undoing a merge, for [`crate::store::Store::unmerge_person`]. In one transaction the store marks
/// the request reversed if it is still applied, bumps both versions (each only if unchanged, else
/// `Conflict`), clears the duplicate's `merged_into`, moves back exactly the rows the merge moved
/// (all of them, else `Conflict` and nothing changes), removes the names it copied, and appends the
/// event `audit` makes from the rows moved back.
pub struct UnmergeWrite<'a> {
    /// The request as reversed.
    pub merge: &'a PersonMerge,
    pub survivor_version: i64,
    pub duplicate_version: i64,
    pub audit: &'a (dyn Fn(&[MergeMove]) -> NewAuditEvent + Send + Sync),
}

/// A merge with both people as they are now and the rows it moved (empty until applied).
#[derive(Debug, Clone, PartialEq)]
pub struct MergeReview {
    pub merge: PersonMerge,
    pub survivor: Person,
    pub duplicate: Person,
    pub moves: Vec<MergeMove>,
}

// ---- Use cases ----------------------------------------------------------------------------------

impl Core {
    async fn person_or(&self, id: Uuid, field: &str) -> Result<Person> {
        self.store.find_person(id).await?.ok_or_else(|| Error::invalid(field, "There is no such person"))
    }

    async fn merge_or_not_found(&self, id: Uuid) -> Result<PersonMerge> {
        self.store.find_person_merge(id).await?.ok_or(Error::NotFound)
    }

    /// The survivor and the duplicate of a merge, as they are now.
    async fn merge_people(&self, id: Uuid) -> Result<(Person, Person)> {
        let merge = self.merge_or_not_found(id).await?;
        let survivor = self.store.find_person(merge.survivor_id).await?.ok_or(Error::NotFound)?;
        let duplicate = self.store.find_person(merge.duplicate_id).await?.ok_or(Error::NotFound)?;
        Ok((survivor, duplicate))
    }

    /// Asks for `duplicate_id` to be merged into `survivor_id`, saying why. Needs `person.record`.
    pub async fn request_person_merge(
        &self,
        by: By<'_>,
        survivor_id: Uuid,
        duplicate_id: Uuid,
        reason: &str,
        ctx: &RequestContext,
    ) -> Result<PersonMerge> {
        by.require(Permission::PersonRecord)?;
        let survivor = self.store.find_person(survivor_id).await?.ok_or(Error::NotFound)?;
        let duplicate = self.person_or(duplicate_id, "duplicate_id").await?;
        let open: Vec<PersonMerge> = self
            .store
            .person_merges_of(survivor_id)
            .await?
            .into_iter()
            .filter(|m| m.status == MergeStatus::Requested)
            .collect();
        check_request(&survivor, &duplicate, reason, &open).map_err(Error::Invalid)?;
        let (score, match_reasons) = likeness(&survivor, &duplicate);
        let actor = by.actor();
        let merge = PersonMerge {
            id: Uuid::now_v7(),
            survivor_id,
            duplicate_id,
            survivor_name: survivor.display_name(),
            duplicate_name: duplicate.display_name(),
            status: MergeStatus::Requested,
            reason: reason.trim().to_string(),
            score,
            match_reasons,
            requested_by_id: actor.id,
            requested_by_name: actor.name.clone(),
            requested_at: self.now(),
            decided: None,
            reversed: None,
        };
        let audit = self
            .event(&actor, "person.merge.request", AuditCategory::Collect, ctx)
            .record("person", duplicate_id)
            .justification(merge.reason.clone())
            .after(&merge.audit_json());
        self.store.insert_person_merge(&merge, &audit).await?;
        Ok(merge)
    }

    /// Merge requests in `status`: those awaiting review oldest first, the others newest decision
    /// first. Needs `person.merge`; audited as a consultation.
    pub async fn list_person_merges(
        &self,
        by: By<'_>,
        status: MergeStatus,
        limit: u32,
        ctx: &RequestContext,
    ) -> Result<Vec<PersonMerge>> {
        by.require(Permission::PersonMerge)?;
        let audit = self
            .event(&by.actor(), "person.merge.list", AuditCategory::Consult, ctx)
            .after(&serde_json::json!({ "status": status.as_str() }));
        self.store.append_audit(&audit).await?;
        self.store.list_person_merges(status, limit.clamp(1, 500)).await
    }

    /// One merge with both people side by side and what it moved, audited before it is returned.
    pub async fn view_person_merge(&self, by: By<'_>, id: Uuid, ctx: &RequestContext) -> Result<MergeReview> {
        by.require(Permission::PersonView)?;
        let merge = self.merge_or_not_found(id).await?;
        let survivor = self.store.find_person(merge.survivor_id).await?.ok_or(Error::NotFound)?;
        let duplicate = self.store.find_person(merge.duplicate_id).await?.ok_or(Error::NotFound)?;
        let moves = self.store.merge_moves(id).await?;
        let audit =
            self.event(&by.actor(), "person.merge.view", AuditCategory::Consult, ctx).record("person_merge", id);
        self.store.append_audit(&audit).await?;
        Ok(MergeReview { merge, survivor, duplicate, moves })
    }

    /// The merges a person is part of, newest request first (shown with their record, whose view is
    /// audited).
    pub async fn person_merges(&self, by: By<'_>, person_id: Uuid) -> Result<Vec<PersonMerge>> {
        by.require(Permission::PersonView)?;
        self.store.person_merges_of(person_id).await
    }

    /// People who are likely the same as `person` (score at least [`DUPLICATE_SCORE`]), best first,
    /// with the reasons. Needs `person.record` (it is the start of a merge request); audited.
    pub async fn likely_duplicates_of(
        &self,
        by: By<'_>,
        person: &Person,
        ctx: &RequestContext,
    ) -> Result<Vec<PersonMatch>> {
        by.require(Permission::PersonRecord)?;
        if person.merged_into.is_some() {
            return Ok(Vec::new());
        }
        let candidates =
            self.store.find_person_candidates(&search_for(person).keys(), crate::person::CANDIDATES).await?;
        let mut found: Vec<PersonMatch> = candidates
            .into_iter()
            .filter(|c| c.id != person.id)
            .filter_map(|c| {
                let (score, reasons) = likeness(person, &c);
                (score >= DUPLICATE_SCORE).then_some(PersonMatch { person: c, score, reasons })
            })
            .collect();
        found.sort_by(|a, b| b.score.cmp(&a.score).then_with(|| a.person.display_name().cmp(&b.person.display_name())));
        found.truncate(10);
        let audit = self
            .event(&by.actor(), "person.duplicates", AuditCategory::Consult, ctx)
            .record("person", person.id)
            .after(&serde_json::json!({ "candidates": found.iter().map(|m| m.person.id).collect::<Vec<_>>() }));
        self.store.append_audit(&audit).await?;
        Ok(found)
    }

    /// Applies a merge awaiting review. Needs `person.merge`, and a reviewer other than the
    /// requester. `seen` is the (survivor, duplicate) versions the reviewer compared: if either
    /// person has changed since, `Conflict`.
    pub async fn apply_person_merge(
        &self,
        by: By<'_>,
        id: Uuid,
        seen: Option<(i64, i64)>,
        ctx: &RequestContext,
    ) -> Result<(PersonMerge, Vec<MergeMove>)> {
        by.require(Permission::PersonMerge)?;
        let actor = by.actor();
        check_decision(&self.merge_or_not_found(id).await?, &actor)?;
        let (survivor, duplicate) = self.merge_people(id).await?;
        // Read again after the people: a review that finished meanwhile is a conflict, not a
        // person "merged away" since.
        let merge = self.merge_or_not_found(id).await?;
        check_decision(&merge, &actor)?;
        if let Some((s, d)) = seen
            && (s != survivor.version || d != duplicate.version)
        {
            return Err(Error::Conflict(format!(
                "{} or {} has changed since you compared them; review them again",
                survivor.display_name(),
                duplicate.display_name()
            )));
        }
        check_apply(&survivor, &duplicate).map_err(Error::Invalid)?;
        let plan = plan(&survivor, &duplicate);
        let applied = PersonMerge {
            status: MergeStatus::Applied,
            decided: Some(Decision { by_id: actor.id, by_name: actor.name.clone(), at: self.now(), reason: None }),
            ..merge
        };
        let before = serde_json::json!({ "survivor": survivor.audit_json(), "duplicate": duplicate.audit_json() });
        let make_audit = |moves: &[MergeMove]| {
            let mut after = applied.audit_json();
            after["rows"] = summary_json(moves);
            self.event(&actor, "person.merge.apply", AuditCategory::Combine, ctx)
                .record("person", applied.duplicate_id)
                .before(&before)
                .after(&after)
        };
        let write = MergeApplyWrite {
            merge: &applied,
            survivor_version: survivor.version,
            duplicate_version: duplicate.version,
            plan: &plan,
            audit: &make_audit,
        };
        let moves = self.store.apply_person_merge(&write).await?;
        Ok((applied, moves))
    }

    /// Rejects a merge awaiting review, with a reason. Needs `person.merge`, and a reviewer other
    /// than the requester.
    pub async fn reject_person_merge(
        &self,
        by: By<'_>,
        id: Uuid,
        reason: &str,
        ctx: &RequestContext,
    ) -> Result<PersonMerge> {
        by.require(Permission::PersonMerge)?;
        let merge = self.merge_or_not_found(id).await?;
        let actor = by.actor();
        check_decision(&merge, &actor)?;
        let mut errors = Vec::new();
        reason_rule(&mut errors, reason, "why the merge is rejected");
        if !errors.is_empty() {
            return Err(Error::Invalid(errors));
        }
        let rejected = PersonMerge {
            status: MergeStatus::Rejected,
            decided: Some(Decision {
                by_id: actor.id,
                by_name: actor.name.clone(),
                at: self.now(),
                reason: Some(reason.trim().to_string()),
            }),
            ..merge
        };
        let audit = self
            .event(&actor, "person.merge.reject", AuditCategory::Alter, ctx)
            .record("person", rejected.duplicate_id)
            .justification(reason.trim())
            .after(&rejected.audit_json());
        self.store.reject_person_merge(&rejected, &audit).await?;
        Ok(rejected)
    }

    /// Undoes an applied merge, with a reason: the rows it moved go back to the duplicate, the
    /// names it copied leave the survivor, and the duplicate is on record as itself again. Needs
    /// `person.merge`.
    pub async fn unmerge_person(
        &self,
        by: By<'_>,
        id: Uuid,
        reason: &str,
        ctx: &RequestContext,
    ) -> Result<(PersonMerge, Vec<MergeMove>)> {
        by.require(Permission::PersonMerge)?;
        let (survivor, duplicate) = self.merge_people(id).await?;
        // Read after the people, as when applying: an undoing that finished meanwhile is a conflict.
        let merge = self.merge_or_not_found(id).await?;
        if merge.status == MergeStatus::Reversed {
            return Err(Error::Conflict("This merge has already been undone".into()));
        }
        check_unmerge(&merge, &survivor, &duplicate, reason).map_err(Error::Invalid)?;
        let actor = by.actor();
        let reversed = PersonMerge {
            status: MergeStatus::Reversed,
            reversed: Some(Decision {
                by_id: actor.id,
                by_name: actor.name.clone(),
                at: self.now(),
                reason: Some(reason.trim().to_string()),
            }),
            ..merge
        };
        let before = serde_json::json!({ "survivor": survivor.audit_json(), "duplicate": duplicate.audit_json() });
        let make_audit = |moves: &[MergeMove]| {
            let mut after = reversed.audit_json();
            after["rows"] = summary_json(moves);
            self.event(&actor, "person.merge.unmerge", AuditCategory::Alter, ctx)
                .record("person", reversed.duplicate_id)
                .justification(reason.trim())
                .before(&before)
                .after(&after)
        };
        let write = UnmergeWrite {
            merge: &reversed,
            survivor_version: survivor.version,
            duplicate_version: duplicate.version,
            audit: &make_audit,
        };
        let moves = self.store.unmerge_person(&write).await?;
        Ok((reversed, moves))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::person::{Marker, MarkerCategory, PersonAddress, PersonPhone, Sex};
    use chrono::{NaiveDate, TimeZone};
    use proptest::prelude::*;

    fn at() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 26, 9, 0, 0).single().expect("valid")
    }

    fn person(forenames: &str, surname: &str, dob: Option<NaiveDate>, address: &str, phone: &str) -> Person {
        Person {
            id: Uuid::now_v7(),
            version: 1,
            names: vec![PersonName { kind: NameKind::Primary, forenames: forenames.into(), surname: surname.into() }],
            date_of_birth: dob,
            sex: Sex::Unknown,
            addresses: vec![PersonAddress {
                id: Uuid::now_v7(),
                text: address.into(),
                from: None,
                to: None,
                recorded_at: at(),
            }],
            phones: vec![PersonPhone { id: Uuid::now_v7(), number: phone.into(), recorded_at: at() }],
            markers: vec![],
            created_at: at(),
            created_by_name: "t".into(),
            merged_into: None,
        }
    }

    fn dob() -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(1990, 4, 2)
    }

    fn request(a: &Person, b: &Person, by: &str) -> PersonMerge {
        PersonMerge {
            id: Uuid::now_v7(),
            survivor_id: a.id,
            duplicate_id: b.id,
            survivor_name: a.display_name(),
            duplicate_name: b.display_name(),
            status: MergeStatus::Requested,
            reason: "Same person".into(),
            score: 85,
            match_reasons: vec![],
            requested_by_id: None,
            requested_by_name: by.into(),
            requested_at: at(),
            decided: None,
            reversed: None,
        }
    }

    #[test]
    fn the_duplicates_name_becomes_an_alias_and_shared_details_stay_put() {
        let a = person("Jane", "Smith", dob(), "12 Mill Road", "07700 900123");
        let mut b = person("Jane", "Smyth", dob(), "3 New Street", "07700-900-123");
        b.names.push(PersonName { kind: NameKind::Birth, forenames: "Jane".into(), surname: "Okafor".into() });
        b.names.push(PersonName { kind: NameKind::Alias, forenames: "Jane".into(), surname: "Smith".into() });
        b.phones.push(PersonPhone { id: Uuid::now_v7(), number: "01632 960001".into(), recorded_at: at() });
        b.markers.push(Marker {
            id: Uuid::now_v7(),
            category: MarkerCategory::Vulnerability,
            detail: "Hearing impaired".into(),
            set_by_name: "t".into(),
            set_at: at(),
            ended_at: None,
            ended_by_name: None,
            end_reason: None,
        });
        let p = plan(&a, &b);
        let names: Vec<(NameKind, String)> = p.names.iter().map(|n| (n.kind, n.full())).collect();
        assert_eq!(
            names,
            vec![(NameKind::Alias, "Jane Smyth".into()), (NameKind::Birth, "Jane Okafor".into())],
            "the survivor already has Jane Smith"
        );
        assert_eq!(p.addresses, vec![b.addresses[0].id]);
        assert_eq!(p.kept_phones, vec![b.phones[0].id], "the same number, however written, stays");
        assert_eq!(p.phones, vec![b.phones[1].id]);
        assert_eq!(p.markers, vec![b.markers[0].id]);
    }

    #[test]
    fn an_address_over_the_same_dates_is_kept_but_other_dates_move() {
        let a = person("Jane", "Smith", dob(), "12 Mill Road", "07700 900123");
        let mut b = person("Jane", "Smyth", dob(), "12 MILL ROAD", "07700 900999");
        b.addresses.push(PersonAddress {
            id: Uuid::now_v7(),
            text: "12 Mill Road".into(),
            from: NaiveDate::from_ymd_opt(2010, 1, 1),
            to: NaiveDate::from_ymd_opt(2011, 1, 1),
            recorded_at: at(),
        });
        let p = plan(&a, &b);
        assert_eq!(p.kept_addresses, vec![b.addresses[0].id]);
        assert_eq!(p.addresses, vec![b.addresses[1].id]);
    }

    #[test]
    fn requests_name_every_broken_rule() {
        let a = person("Jane", "Smith", dob(), "12 Mill Road", "07700 900123");
        let errors = check_request(&a, &a, " ", &[]).expect_err("invalid");
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["duplicate_id", "reason"]);

        let mut b = person("Jane", "Smyth", dob(), "3 New Street", "07700 900999");
        let open = request(&b, &a, "ch.one");
        let errors = check_request(&a, &b, "Same DOB and phone", &[open]).expect_err("open request either way round");
        assert_eq!(errors[0].field, "duplicate_id");
        assert!(errors[0].rule.contains("already awaiting review"), "{}", errors[0].rule);

        b.merged_into = Some(Uuid::now_v7());
        let errors = check_request(&a, &b, "Same DOB", &[]).expect_err("merged away");
        assert!(errors[0].rule.contains("already been merged"), "{}", errors[0].rule);
        b.merged_into = None;
        let mut rejected = request(&a, &b, "ch.one");
        rejected.status = MergeStatus::Rejected;
        assert!(check_request(&a, &b, "Same DOB", &[rejected]).is_ok(), "a rejected request does not block");
    }

    #[test]
    fn four_eyes_the_requester_cannot_decide() {
        let a = person("Jane", "Smith", dob(), "12 Mill Road", "07700 900123");
        let b = person("Jane", "Smyth", dob(), "3 New Street", "07700 900999");
        let mut m = request(&a, &b, "ch.one");
        let id = Uuid::now_v7();
        m.requested_by_id = Some(id);
        let same = Actor { id: Some(id), name: "ch.one".into() };
        assert!(matches!(check_decision(&m, &same), Err(Error::Forbidden(_))));
        let system = Actor::system("test");
        let by_system = request(&a, &b, &system.name);
        assert!(matches!(check_decision(&by_system, &system), Err(Error::Forbidden(_))));
        let other = Actor { id: Some(Uuid::now_v7()), name: "sgt.two".into() };
        assert!(check_decision(&m, &other).is_ok());
        m.status = MergeStatus::Applied;
        assert!(matches!(check_decision(&m, &other), Err(Error::Conflict(_))), "decided once");
    }

    #[test]
    fn undoing_needs_an_applied_merge_a_reason_and_the_people_as_it_left_them() {
        let a = person("Jane", "Smith", dob(), "12 Mill Road", "07700 900123");
        let mut b = person("Jane", "Smyth", dob(), "3 New Street", "07700 900999");
        let mut m = request(&a, &b, "ch.one");
        let errors = check_unmerge(&m, &a, &b, "").expect_err("not applied");
        assert_eq!(errors.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(), ["status", "reason"]);
        m.status = MergeStatus::Applied;
        b.merged_into = Some(a.id);
        assert!(check_unmerge(&m, &a, &b, "Different people: checked custody photos").is_ok());
        let mut a_gone = a.clone();
        a_gone.merged_into = Some(Uuid::now_v7());
        let errors = check_unmerge(&m, &a_gone, &b, "x").expect_err("survivor merged since");
        assert!(errors[0].rule.contains("undo that merge first"), "{}", errors[0].rule);
    }

    #[test]
    fn likeness_finds_the_match_through_any_of_the_survivors_details() {
        let mut a = person("Jane", "Smith", None, "12 Mill Road", "07700 900123");
        a.names.push(PersonName { kind: NameKind::Birth, forenames: "Jane".into(), surname: "Okafor".into() });
        let b = person("Jane", "Okafor", dob(), "9 Oak Lane", "07700 900123");
        let (s, reasons) = likeness(&a, &b);
        assert!(s >= DUPLICATE_SCORE, "{s} {reasons:?}");
        assert!(reasons.iter().any(|r| r.contains("same surname")), "{reasons:?}");
        assert!(reasons.iter().any(|r| r.contains("same phone")), "{reasons:?}");
    }

    #[test]
    fn summaries_count_moved_and_kept_by_kind() {
        let mv = |kind, moved| MergeMove { kind, ref_id: None, role: String::new(), detail: String::new(), moved };
        let moves = [mv(MoveKind::Incident, true), mv(MoveKind::Incident, false), mv(MoveKind::Name, true)];
        assert_eq!(summarise(&moves), vec![(MoveKind::Name, 1, 0), (MoveKind::Incident, 1, 1)]);
    }

    proptest! {
        /// Whatever the two records hold, every row of the duplicate is either moved or kept, once;
        /// no name the survivor has is added again; and no two added names are the same.
        #[test]
        fn a_plan_accounts_for_every_row_once(
            a_names in proptest::collection::vec(("[A-C][a-c]{0,2}", "[A-C][a-c]{0,2}"), 1..4),
            b_names in proptest::collection::vec(("[A-C][a-c]{0,2}", "[A-C][a-c]{0,2}"), 1..4),
            a_phones in proptest::collection::vec("0770090012[0-3]", 0..3),
            b_phones in proptest::collection::vec("0770090012[0-3]", 0..3),
        ) {
            let mut a = person("x", "y", None, "1 Road", "01632 960000");
            let mut b = person("x", "y", None, "2 Road", "01632 960000");
            let names = |v: &[(String, String)]| v.iter().enumerate().map(|(i, (f, s))| PersonName {
                kind: if i == 0 { NameKind::Primary } else { NameKind::Alias },
                forenames: f.clone(),
                surname: s.clone(),
            }).collect::<Vec<_>>();
            a.names = names(&a_names);
            b.names = names(&b_names);
            let phones = |v: &[String]| v.iter().map(|n| PersonPhone { id: Uuid::now_v7(), number: n.clone(), recorded_at: at() }).collect::<Vec<_>>();
            a.phones = phones(&a_phones);
            b.phones = phones(&b_phones);
            let p = plan(&a, &b);
            let mut ids: Vec<Uuid> = p.phones.iter().chain(&p.kept_phones).copied().collect();
            ids.sort();
            let mut want: Vec<Uuid> = b.phones.iter().map(|x| x.id).collect();
            want.sort();
            prop_assert_eq!(ids, want);
            prop_assert_eq!(p.addresses.len() + p.kept_addresses.len(), b.addresses.len());
            let mut keys: Vec<String> = a.names.iter().map(|n| name_key(&n.full())).collect();
            for n in &p.names {
                prop_assert!(n.kind != NameKind::Primary);
                let k = name_key(&n.full());
                prop_assert!(!keys.contains(&k));
                keys.push(k);
            }
        }
    }
}
