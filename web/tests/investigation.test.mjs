// Browser and accessibility tests for investigations and outcomes (issue 7), keyboard only: an
// investigator tries to finalise a domestic-abuse crime as outcome 16 (evidential difficulties,
// victim does not support) before its preconditions are met and is shown every one missing; they
// complete them, the outcome goes to a supervisor, a Sergeant is refused (a domestic-abuse 16 needs
// an Inspector) and an Inspector authorises it. Every page on the way is axe-clean (WCAG 2.2 AA).
// Run by scripts/browser-test, which starts `bluelamp demo` and sets:
//   BLUELAMP_URL       base URL of the running server, e.g. http://127.0.0.1:41234
//   BLUELAMP_PASSWORD  the password shared by every demo user
// The data is made through the JSON API before the tests (a session cookie, as a browser would
// hold): the demo's admin adds an Inspector with the supervisor role (the demo's own senior officers
// have no password), and its Sergeant (`supervisor`) records the crime with a victim and a named
// suspect and allocates it to `investigator`. The tests in this file run in order.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { request } from 'playwright-core'
import {
  BASE, PASSWORD, TIMEOUT, useBrowser, pathOf, assertNoAxeViolations,
  signInByKeyboard, tabTo, navigateWith
} from './support.mjs'

const newPage = useBrowser()
// A user in the UK.
const LOCALE = { locale: 'en-GB', timezoneId: 'Europe/London' }

// What the tests share: the crime, and the Inspector who authorises.
const crime = { id: '', number: '' }
const inspector = { username: '', name: '' }
const suffix = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`

// A JSON API client signed in as `username` (the session cookie, as a browser would hold it).
async function apiAs (username) {
  const api = await request.newContext({ baseURL: BASE })
  const signedIn = await api.post('/sign-in', { form: { username, password: PASSWORD }, maxRedirects: 0 })
  assert.equal(signedIn.status(), 303, `${username} signs in to the API`)
  return api
}

// POSTs JSON and returns the body, failing with the server's answer unless the status is `status`.
async function send (api, path, data, status) {
  const response = await api.post(path, { data })
  const body = await response.json()
  assert.equal(response.status(), status, `POST ${path}: ${JSON.stringify(body)}`)
  return body
}

before(async () => {
  const admin = await apiAs('admin')
  inspector.username = `insp.${suffix}`
  inspector.name = `Insp Rosa Kaur ${suffix}`
  await send(admin, '/api/v1/users', {
    username: inspector.username,
    display_name: inspector.name,
    collar_number: `T${suffix}`.slice(0, 20),
    rank: 'inspector',
    team: 'CID East',
    station: 'Oakfield',
    division: 'East',
    pip_level: 'pip2',
    roles: ['supervisor'],
    password: PASSWORD
  }, 201)
  await admin.dispose()

  const sergeant = await apiAs('supervisor')
  const person = (forenames, surname, sex, dateOfBirth) => send(sergeant, '/api/v1/people',
    { forenames, surname: `${surname}-${suffix}`, sex, date_of_birth: dateOfBirth, confirm_new: true }, 201)
  const victim = await person('Alice', 'Marlow', 'female', '1991-04-02')
  const suspect = await person('Dean', 'Marlow', 'male', '1988-01-09')
  const recorded = await send(sergeant, '/api/v1/crimes', {
    offence_code: '105A',
    location_text: '12 Mill Lane, Oakfield',
    modus_operandi: 'Pushed the victim against a wall during an argument at home',
    flags: ['domestic-abuse'],
    people: [{ person_id: victim.id, role: 'victim' }, { person_id: suspect.id, role: 'suspect' }]
  }, 201)
  assert.deepEqual(recorded.flags, ['domestic-abuse'])
  const officers = await (await sergeant.get('/api/v1/officers')).json()
  const investigator = officers.find((o) => o.details?.username === 'investigator')
  assert.ok(investigator, 'the demo has the investigator')
  const allocated = await send(sergeant, `/api/v1/triage/crimes/${recorded.id}/allocate`,
    { version: recorded.version, officer_id: investigator.id, note: 'Domestic abuse: to the DA-trained investigator' },
    200)
  assert.equal(allocated.allocated_to, investigator.id)
  await sergeant.dispose()
  crime.id = recorded.id
  crime.number = recorded.number
  console.log(`investigation: crime ${crime.number} (105A, domestic abuse) allocated to investigator; ` +
    `authorising Inspector ${inspector.username}`)
})

after(() => {
  if (crime.id) console.log(`investigation: ${BASE}/crimes/${crime.id}/investigation`)
})

// Today and a later day in the UK, as YYYY-MM-DD.
function ukDate (daysAhead = 0) {
  const day = new Date(Date.now() + daysAhead * 86_400_000)
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London' }).format(day)
}

// A date as the pages show it: 2026-11-27 → "27 Nov 2026".
function dayText (iso) {
  const [year, month, day] = iso.split('-').map(Number)
  return `${day} ${['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][month - 1]} ${year}`
}

// The text of an element with its white space collapsed.
const text = async (locator) => (await locator.innerText()).replace(/\s+/g, ' ').trim()

// The notification banner's message after a change ("Important" is its title).
const notice = async (page) => (await text(page.getByRole('region', { name: 'Important' }))).replace(/^Important /, '')

// Chooses the option labelled `label` (a string matches the start) in the focused <select> with
// the arrow keys, from the first option down.
async function chooseWithArrows (select, label) {
  const page = select.page()
  const count = await select.locator('option').count()
  await page.keyboard.press('Home')
  for (let i = 0; i < count; i++) {
    const chosen = await select.evaluate((s) => s.selectedOptions[0]?.textContent.trim() ?? '')
    if (typeof label === 'string' ? chosen.startsWith(label) : label.test(chosen)) return chosen
    await page.keyboard.press('ArrowDown')
  }
  assert.fail(`no option ${label} in the select`)
}

// Types a date into the focused date input. Its day, month and year boxes come in the order of
// the browser's own locale (not the page's), so a probe date finds the order first: typed as
// 01 02 2003 it reads 2 January (month first) or 1 February (day first). Shift+Tab goes back
// from the year to the first box, and the date is typed over the probe.
async function typeDate (input, iso) {
  const page = input.page()
  const [year, month, day] = iso.split('-')
  await page.keyboard.type('01022003')
  const order = { '2003-01-02': `${month}${day}${year}`, '2003-02-01': `${day}${month}${year}` }[await input.inputValue()]
  assert.ok(order, `the date input's boxes are in an order this test does not know (${await input.inputValue()})`)
  await page.keyboard.press('Shift+Tab')
  await page.keyboard.press('Shift+Tab')
  await page.keyboard.type(order)
  assert.equal(await input.inputValue(), iso, 'the date typed is the date meant')
}

// Tabs to a field and types into it.
async function typeInto (locator, value) {
  await tabTo(locator)
  await locator.page().keyboard.type(value)
}

const investigationUrl = () => `${BASE}/crimes/${crime.id}/investigation`

// How the victim's non-support was obtained, as the investigator records it.
const HOW = 'Signed withdrawal statement taken at home by the investigator, with the IDVA present'

// The investigator's decision on an evidence-led prosecution.
const DECISION = 'No evidence-led prosecution: no injuries, no independent witness, and the body-worn video shows no offence'

const OUTCOME_16 = '16 — Evidential difficulties – suspect identified, victim does not support'

// The rules outcome 16 on a domestic-abuse crime needs, as the outcome form names them when none
// is met: the victim's non-support (when and how), two victim-engagement attempts (the plan), the
// evidence-led prosecution decision and each kind of evidence, and the suspect contact. Each error
// is the rule, then what to do; its link goes to the input to fix.
const NON_SUPPORT = "The victim's non-support is recorded: when, and how it was obtained"
const EVIDENCE_LED = 'A decision on an evidence-led prosecution is recorded, with the evidence considered'
const evidence = (key, kind) => [
  `#evidence-${key}`, EVIDENCE_LED, `Say whether ${kind} is available for the evidence-led prosecution decision`
]
const UNMET = [
  ['#victim_non_support_on', NON_SUPPORT, 'Record when the victim said they do not support police action'],
  ['#victim_non_support_how', NON_SUPPORT, "Record how the victim's non-support was obtained (for example a " +
    'signed statement or a recorded call), in at least 20 characters; 0 given'],
  ['#plan', 'Attempts to keep the victim engaged are recorded', 'Outcome 16 on a domestic-abuse crime needs 2 ' +
    'completed victim-engagement attempts in the investigation plan; 0 recorded'],
  ['#evidence_led_decision', EVIDENCE_LED,
    'Record the decision on an evidence-led prosecution and why, in at least 20 characters; 0 given'],
  evidence('body-worn-video', 'body-worn video'),
  evidence('999-call', '999 call recording'),
  evidence('independent-witnesses', 'independent witnesses'),
  evidence('photographed-injuries', 'photographed injuries'),
  ['#suspect_contact', 'Whether the suspect was contacted or interviewed is recorded',
    'Record whether the suspect was interviewed, contacted or not contacted']
]

test('an investigator asking for outcome 16 too early is shown every precondition missing', { timeout: TIMEOUT }, async (t) => {
  assert.ok(crime.id, 'the crime was set up')
  const page = await newPage(t, LOCALE)
  await signInByKeyboard(page, 'investigator')
  const opened = await page.goto(investigationUrl())
  assert.equal(opened.status(), 200)
  await page.getByRole('heading', { level: 1, name: 'Investigation: Assault without injury' }).waitFor()
  const facts = page.locator('main dl.govuk-summary-list').first()
  assert.match(await text(facts), /Offence 105A Assault without injury/)
  assert.match(await text(facts), /Flags Domestic abuse/)
  assert.match(await text(facts), /Investigator DC Josh Whitfield since /)
  assert.ok(await page.getByText('Completed victim-engagement attempts: 0.').isVisible())
  await assertNoAxeViolations(page, 'the investigation page')

  // To the outcome form by its link, and outcome 16 with nothing else.
  const record = page.getByRole('link', { name: 'Record an outcome' })
  await tabTo(record)
  await navigateWith(page, 'Enter')
  assert.equal(pathOf(page), `/crimes/${crime.id}/outcome`)
  await page.getByRole('heading', { level: 1, name: 'Outcome: Assault without injury' }).waitFor()
  assert.match(await text(page.locator('#people')), /\(Victim\).*\(Suspect\)|\(Suspect\).*\(Victim\)/)
  await assertNoAxeViolations(page, 'the outcome form')
  const outcome = page.getByLabel('Outcome', { exact: true })
  await tabTo(outcome)
  assert.match(await chooseWithArrows(outcome, '16 — '), /^16 — Evidential difficulties/)
  assert.equal(await outcome.inputValue(), '16')
  const submit = page.getByRole('button', { name: 'Record outcome' })
  const tabs = await tabTo(submit)
  console.log(`investigator: ${tabs} Tab presses from the outcome to "Record outcome"`)
  const refused = await navigateWith(page, 'Enter')
  assert.equal(refused.status(), 422, 'outcome 16 without its preconditions is refused')
  const summary = page.locator('.govuk-error-summary')
  await summary.waitFor({ state: 'visible' })
  assert.match(await page.title(), /^Error: /)
  const errors = await summary.getByRole('link').evaluateAll((links) =>
    links.map((a) => [a.getAttribute('href'), a.textContent.replace(/\s+/g, ' ').trim()]))
  assert.equal(errors.length, UNMET.length, `one error per unmet rule:\n${errors.map((e) => e.join(' ')).join('\n')}`)
  UNMET.forEach(([href, rule, why], i) => {
    assert.deepEqual(errors[i], [href, `${rule}: ${why}`], `error ${i + 1}`)
  })
  // Each error is also shown at its input, and the choice is kept.
  assert.match(await text(page.locator('#victim_non_support_on-error')), /Record when the victim said/)
  assert.match(await text(page.locator('#evidence-999-call-error')), /999 call recording/)
  assert.match(await text(page.locator('#suspect_contact-error')), /interviewed, contacted or not contacted/)
  assert.match(await text(page.locator('dd#plan')), /needs 2 completed victim-engagement attempts/)
  assert.equal(await outcome.inputValue(), '16', 'outcome 16 is still chosen')
  await assertNoAxeViolations(page, 'the outcome form with its errors')

  // The plan's error link takes the focus to the plan's line.
  const planError = summary.getByRole('link', { name: /victim-engagement attempts/ })
  await tabTo(planError)
  await page.keyboard.press('Enter')
  await page.waitForFunction(() => document.activeElement?.id === 'plan')
})

test('the investigator completes the preconditions and proposes outcome 16', { timeout: TIMEOUT }, async (t) => {
  assert.ok(crime.id, 'the crime was set up')
  const page = await newPage(t, LOCALE)
  await signInByKeyboard(page, 'investigator')
  await page.goto(investigationUrl())
  await page.getByRole('heading', { level: 1, name: 'Investigation: Assault without injury' }).waitFor()

  // Two victim-engagement attempts, each added to the plan and closed as done with what it found.
  const due = ukDate(7)
  for (const [n, plan, found] of [
    [1, 'Phone the victim to offer support and an IDVA referral',
      'Spoke to the victim by phone; she declined the IDVA referral and any police action'],
    [2, 'Visit the victim at home with the IDVA',
      'Visited with the IDVA; the victim confirmed she does not support a prosecution']
  ]) {
    const add = page.locator('#add-action summary')
    await tabTo(add)
    await page.keyboard.press('Enter')
    assert.equal(await page.locator('#add-action').getAttribute('open'), '', 'the add-action form opens')
    const kind = page.getByLabel('Line of enquiry', { exact: true })
    await tabTo(kind, { limit: 5 })
    assert.equal(await chooseWithArrows(kind, 'Victim engagement'), 'Victim engagement')
    await typeInto(page.getByLabel('What to do', { exact: true }), plan)
    const dueBy = page.getByLabel('Due by', { exact: true })
    await tabTo(dueBy, { limit: 5 })
    await typeDate(dueBy, due)
    await tabTo(page.getByRole('button', { name: 'Add action' }), { limit: 5 })
    const added = await navigateWith(page, 'Enter')
    assert.equal(added.status(), 200)
    assert.equal(page.url(), `${investigationUrl()}?done=action-added`)
    assert.equal(await notice(page), 'Action added to the plan')
    const rows = page.getByRole('table', { name: 'Actions, oldest first' }).locator('tbody tr')
    assert.equal(await rows.count(), n, `${n} action(s) in the plan`)
    const row = rows.nth(n - 1)
    assert.match(await text(row), new RegExp(`^Victim engagement ${plan} DC Josh Whitfield ${dayText(due)} Open `))
    if (n === 1) await assertNoAxeViolations(page, 'the investigation page with an open action')

    // Close it from its row: open the row's details, Done, what it found, "Close action".
    const close = row.locator('summary')
    assert.equal(await text(close), `Close the action ${n}, Victim engagement`)
    await tabTo(close)
    await page.keyboard.press('Enter')
    const done = row.getByRole('radio', { name: 'Done' })
    await tabTo(done, { limit: 5 })
    await page.keyboard.press('Space')
    assert.ok(await done.isChecked(), 'closed as done')
    await typeInto(row.getByLabel('What it found, or why it was not possible'), found)
    await tabTo(row.getByRole('button', { name: `Close action ${n}, Victim engagement` }), { limit: 5 })
    const closed = await navigateWith(page, 'Enter')
    assert.equal(closed.status(), 200)
    assert.equal(page.url(), `${investigationUrl()}?done=action-updated`)
    assert.equal(await notice(page), 'Action updated')
    assert.match(await text(rows.nth(n - 1)),
      new RegExp(` ${dayText(due)} Done ${found} Reopen the action ${n}, Victim engagement$`))
  }
  assert.ok(await page.getByText('Completed victim-engagement attempts: 2.').isVisible())
  await assertNoAxeViolations(page, 'the investigation page with two engagement attempts done')

  // The outcome form again: 16, with the victim's non-support, the evidence-led prosecution
  // decision with each kind of evidence, and the suspect interviewed.
  await tabTo(page.getByRole('link', { name: 'Record an outcome' }))
  await navigateWith(page, 'Enter')
  assert.equal(pathOf(page), `/crimes/${crime.id}/outcome`)
  assert.match(await text(page.locator('dd#plan')), /^2 completed victim-engagement attempts/)
  const outcome = page.getByLabel('Outcome', { exact: true })
  await tabTo(outcome)
  await chooseWithArrows(outcome, '16 — ')
  const nonSupport = page.getByLabel('When the victim said they do not support police action')
  const today = ukDate()
  await tabTo(nonSupport)
  await typeDate(nonSupport, today)
  await typeInto(page.getByLabel('How the non-support was obtained'), HOW)
  await typeInto(page.getByLabel('The decision on an evidence-led prosecution, and why'), DECISION)
  // Each kind of evidence is a radio group: Tab to it, Space for the first answer, or the right
  // arrow for the second.
  for (const [kind, answer] of [
    ['Body-worn video', 'Available'],
    ['999 call recording', 'Not available'],
    ['Independent witnesses', 'Not available'],
    ['Photographed injuries', 'Not available']
  ]) {
    const group = page.getByRole('group', { name: kind, exact: true })
    await tabTo(group.getByRole('radio', { name: 'Available', exact: true }))
    await page.keyboard.press(answer === 'Available' ? 'Space' : 'ArrowRight')
    assert.ok(await group.getByRole('radio', { name: answer, exact: true }).isChecked(), `${kind}: ${answer}`)
  }
  const interviewed = page.getByRole('group', { name: 'Was the suspect spoken to?' })
    .getByRole('radio', { name: 'Interviewed', exact: true })
  await tabTo(interviewed)
  await page.keyboard.press('Space')
  assert.ok(await interviewed.isChecked(), 'the suspect was interviewed')
  await assertNoAxeViolations(page, 'the outcome form filled in')
  await tabTo(page.getByRole('button', { name: 'Record outcome' }))
  const proposed = await navigateWith(page, 'Enter')
  assert.equal(proposed.status(), 200)
  assert.equal(page.url(), `${investigationUrl()}?done=proposed`)
  assert.equal(await page.locator('.govuk-error-summary').count(), 0)
  assert.equal(await notice(page), 'Outcome 16 proposed: awaiting authorisation by an Inspector')
  const pending = page.locator('#pending')
  assert.match(await text(pending.locator('p')), new RegExp(`^Outcome ${OUTCOME_16} awaits authorisation by ` +
    'Inspector or above\\. Proposed by DC Josh Whitfield, '))
  // What the Inspector will read: the evidence as recorded.
  const recorded = await pending.locator('.govuk-summary-list__row').evaluateAll((rows) => rows.map((r) =>
    [r.querySelector('dt'), r.querySelector('dd')].map((c) => c.textContent.replace(/\s+/g, ' ').trim())))
  assert.deepEqual(recorded, [
    ["Victim's non-support", `${dayText(today)}: ${HOW}`],
    ['Evidence-led prosecution', DECISION],
    ['Evidence considered', 'Body-worn video: available; 999 call recording: not available; ' +
      'Independent witnesses: not available; Photographed injuries: not available'],
    ['Suspect', 'Interviewed']
  ])
  assert.equal(await page.getByRole('link', { name: 'Record an outcome' }).count(), 0,
    'no second outcome while one is pending')
  assert.equal(await page.getByRole('button', { name: /^Authorise outcome/ }).count(), 0,
    'an investigator cannot authorise')
  await assertNoAxeViolations(page, 'the investigation page with outcome 16 proposed')
})

test('a Sergeant may not authorise outcome 16 on a domestic-abuse crime', { timeout: TIMEOUT }, async (t) => {
  assert.ok(crime.id, 'the crime was set up')
  const page = await newPage(t, LOCALE)
  await signInByKeyboard(page, 'supervisor')
  await page.goto(`${investigationUrl()}#outcome`)
  await page.getByRole('heading', { level: 1, name: 'Investigation: Assault without injury' }).waitFor()
  const authorise = page.getByRole('button', { name: 'Authorise outcome 16' })
  await tabTo(authorise)
  const refused = await navigateWith(page, 'Enter')
  assert.equal(refused.status(), 403)
  // The investigation page again, with the reason in the error summary (linked to the note).
  const summary = page.locator('.govuk-error-summary')
  await summary.waitFor({ state: 'visible' })
  assert.match(await page.title(), /^Error: /)
  const reasons = await summary.getByRole('link').evaluateAll((links) =>
    links.map((a) => a.textContent.replace(/\s+/g, ' ').trim()))
  assert.deepEqual(reasons, [
    'You may not do this: Outcome 16 on a domestic-abuse crime needs an Inspector or above to authorise it; you are a Sergeant'
  ])
  await assertNoAxeViolations(page, 'the refusal of a Sergeant')

  // Nothing changed: the outcome still waits.
  await page.goto(investigationUrl())
  assert.match(await text(page.locator('#pending')), /awaits authorisation by Inspector or above/)
})

test('an Inspector authorises outcome 16 and the crime is finalised', { timeout: TIMEOUT }, async (t) => {
  assert.ok(crime.id && inspector.username, 'the crime and the Inspector were set up')
  const page = await newPage(t, LOCALE)
  await signInByKeyboard(page, inspector.username)
  // From the home page's alert to the list of outcomes awaiting authorisation.
  const alert = page.getByRole('region', { name: 'Investigations' })
    .getByRole('link', { name: /^\d+ outcomes? awaits? authorisation$/ })
  await tabTo(alert)
  await navigateWith(page, 'Enter')
  assert.equal(pathOf(page), '/investigations/authorisations')
  await page.getByRole('heading', { level: 1, name: 'Outcomes to authorise' }).waitFor()
  const list = page.getByRole('table', { name: 'Outcomes awaiting authorisation, oldest proposed first' })
  const row = list.getByRole('row').filter({ has: page.getByRole('link', { name: crime.number, exact: true }) })
  assert.equal(await row.count(), 1, `${crime.number} awaits authorisation`)
  const cells = (await row.locator('th, td').allInnerTexts()).map((c) => c.replace(/\s+/g, ' ').trim())
  assert.equal(cells[0], `${crime.number} 105A Assault without injury`)
  assert.equal(cells[1], OUTCOME_16)
  assert.equal(cells[2], 'DC Josh Whitfield')
  assert.equal(cells[4], 'Inspector or above')
  await assertNoAxeViolations(page, 'the outcomes to authorise')

  // Follow the crime to its outcome and authorise it.
  await tabTo(row.getByRole('link', { name: crime.number, exact: true }))
  await navigateWith(page, 'Enter')
  assert.equal(page.url(), `${investigationUrl()}#outcome`)
  await assertNoAxeViolations(page, 'the investigation page for the Inspector')
  await typeInto(page.getByLabel('Note on authorising (optional)'),
    'Victim withdrawal and the evidence-led decision are sound; authorised')
  await tabTo(page.getByRole('button', { name: 'Authorise outcome 16' }), { limit: 5 })
  const authorised = await navigateWith(page, 'Enter')
  assert.equal(authorised.status(), 200)
  assert.equal(page.url(), `${investigationUrl()}?done=authorised`)
  assert.equal(await page.locator('.govuk-error-summary').count(), 0)
  assert.equal(await notice(page), 'Crime finalised as outcome 16')
  const status = page.locator('.govuk-summary-list__row').filter({ has: page.locator('dt', { hasText: /^Status$/ }) })
  assert.equal(await text(status.locator('dd')), 'Finalised')
  assert.match(await text(page.locator('.govuk-caption-l')), new RegExp(`^Crime ${crime.number} · Finalised$`))
  assert.equal(await page.locator('#pending').count(), 0, 'nothing awaits authorisation')
  const decisions = page.getByRole('table', { name: 'Outcome decisions, newest first' }).locator('tbody tr')
  assert.equal(await decisions.count(), 1)
  const [code, decision, proposedBy, rank, decided] =
    (await decisions.first().locator('th, td').allInnerTexts()).map((c) => c.replace(/\s+/g, ' ').trim())
  assert.equal(code, OUTCOME_16)
  assert.equal(decision, 'Finalised')
  assert.match(proposedBy, /^DC Josh Whitfield, /)
  assert.equal(rank, 'Inspector or above')
  assert.match(decided,
    new RegExp(`^${inspector.name}, .* Victim withdrawal and the evidence-led decision are sound; authorised$`))
  await assertNoAxeViolations(page, 'the finalised crime')

  // It has left the list.
  await tabTo(page.getByRole('navigation', { name: 'Investigations' }).getByRole('link', { name: 'Outcomes to authorise' }))
  await navigateWith(page, 'Enter')
  assert.equal(pathOf(page), '/investigations/authorisations')
  assert.equal(await page.getByRole('link', { name: crime.number, exact: true }).count(), 0)
})
