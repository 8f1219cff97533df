// Browser and accessibility tests for the bluelamp web UI.
// Run by scripts/browser-test, which starts `bluelamp demo` and sets:
//   BLUELAMP_URL       base URL of the running server, e.g. http://127.0.0.1:41234
//   BLUELAMP_PASSWORD  the password shared by every demo user
// Uses Debian's /usr/bin/chromium through playwright-core, and axe-core for WCAG 2.2 AA.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { BASE, PASSWORD, TIMEOUT, useBrowser, pathOf, assertNoAxeViolations } from './support.mjs'

const newPage = useBrowser()

async function fillSignIn (page, username, password) {
  await page.goto(`${BASE}/sign-in`)
  await page.getByLabel('User name', { exact: true }).fill(username)
  await page.getByLabel('Password', { exact: true }).fill(password)
  await page.getByRole('button', { name: 'Sign in', exact: true }).click()
}

async function signIn (page, username) {
  await fillSignIn(page, username, PASSWORD)
  await page.waitForURL(`${BASE}/`)
}

// The home page of a signed-in user: <main data-role>, role name in <h1>, user and
// "Sign out" in the header; and none of the other role's home.
async function assertHome (page, { username, role, title, notRole, notTitle }) {
  assert.equal(pathOf(page), '/', 'home page path')
  const main = page.locator('main')
  assert.equal(await main.getAttribute('data-role'), role, '<main data-role>')
  assert.notEqual(await main.getAttribute('data-role'), notRole, '<main data-role>')
  const h1 = await page.locator('h1').innerText()
  assert.ok(h1.includes(title), `h1 "${h1}" should contain "${title}"`)
  assert.ok(!h1.includes(notTitle), `h1 "${h1}" should not contain "${notTitle}"`)
  const header = page.locator('header').filter({ hasText: username })
  assert.ok(await header.count() > 0, `a <header> should show the user name "${username}"`)
  const signOut = page.locator('header form[action="/sign-out"]')
    .getByRole('button', { name: 'Sign out', exact: true })
  assert.ok(await signOut.isVisible(), 'the header should have a visible "Sign out" button')
  assert.equal((await signOut.locator('xpath=ancestor::form').getAttribute('method')).toLowerCase(), 'post')
}

test('sign-in page has the sign-in form and no axe violations', { timeout: TIMEOUT }, async (t) => {
  const page = await newPage(t)
  const response = await page.goto(`${BASE}/sign-in`)
  assert.equal(response.status(), 200)
  const form = page.locator('form[method="post" i][action="/sign-in"]')
  assert.equal(await form.count(), 1, 'one <form method="post" action="/sign-in">')
  assert.equal(await form.getByLabel('User name', { exact: true }).getAttribute('name'), 'username')
  assert.equal(await form.getByLabel('Password', { exact: true }).getAttribute('name'), 'password')
  assert.equal(await form.getByLabel('Password', { exact: true }).getAttribute('type'), 'password')
  assert.ok(await form.getByRole('button', { name: 'Sign in', exact: true }).isVisible())
  await assertNoAxeViolations(page, '/sign-in')
})

test('sign-in page loads its CSS and JS from /assets without errors', { timeout: TIMEOUT }, async (t) => {
  const page = await newPage(t)
  const problems = []
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`))
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy|module|import/i.test(m.text())) problems.push(`console: ${m.text()}`)
  })
  page.on('response', (r) => {
    if (new URL(r.url()).pathname.startsWith('/assets/') && r.status() >= 400) problems.push(`${r.status()} ${r.url()}`)
  })
  await page.goto(`${BASE}/sign-in`, { waitUntil: 'load' })
  // app.js (a module) marks the body, then sets up GOV.UK Frontend.
  const jsRan = await page.waitForFunction(() => document.body.classList.contains('govuk-frontend-supported'))
    .then(() => true, () => false)
  assert.deepEqual(problems, [], 'asset, CSP or script errors')
  assert.ok(jsRan, '/assets/app.js should run and add body.govuk-frontend-supported')
  const font = await page.evaluate(() => getComputedStyle(document.querySelector('h1')).fontFamily)
  assert.match(font, /system-ui/, 'app.css should give headings the system font stack')
  assert.doesNotMatch(font, /GDS Transport/)
  assert.deepEqual(problems, [])
})

test('call-handler signs in to the call handler home', { timeout: TIMEOUT }, async (t) => {
  const page = await newPage(t)
  await signIn(page, 'call-handler')
  await assertHome(page, {
    username: 'call-handler', role: 'call-handler', title: 'Call handler',
    notRole: 'investigator', notTitle: 'Investigator'
  })
  await assertNoAxeViolations(page, 'call-handler home')
})

test('investigator signs in to the investigator home', { timeout: TIMEOUT }, async (t) => {
  const page = await newPage(t)
  await signIn(page, 'investigator')
  await assertHome(page, {
    username: 'investigator', role: 'investigator', title: 'Investigator',
    notRole: 'call-handler', notTitle: 'Call handler'
  })
  await assertNoAxeViolations(page, 'investigator home')
})

test('a wrong password shows an error summary on /sign-in', { timeout: TIMEOUT }, async (t) => {
  const page = await newPage(t)
  await fillSignIn(page, 'call-handler', `${PASSWORD}-wrong`)
  const summary = page.locator('.govuk-error-summary')
  await summary.waitFor({ state: 'visible' })
  assert.equal(pathOf(page), '/sign-in')
  assert.ok((await summary.innerText()).trim().length > 0, 'the error summary should say what went wrong')
  assert.equal(await page.locator('main[data-role]').count(), 0, 'no home page after a failed sign-in')
  await assertNoAxeViolations(page, '/sign-in with an error')
})

test('after signing out, / redirects to /sign-in', { timeout: TIMEOUT }, async (t) => {
  const page = await newPage(t)
  await signIn(page, 'call-handler')
  await page.locator('header form[action="/sign-out"]')
    .getByRole('button', { name: 'Sign out', exact: true }).click()
  await page.waitForURL((url) => url.pathname !== '/')
  const response = await page.goto(`${BASE}/`)
  assert.equal(pathOf(page), '/sign-in')
  assert.ok(response.request().redirectedFrom(), 'GET / should have been redirected')
  assert.equal(await page.locator('main[data-role]').count(), 0, 'no home page after signing out')
})

// Every page template, with JavaScript on, passes axe (QUALITY.md S9).
test('every page template has no axe violations', { timeout: 120_000 }, async (t) => {
  const page = await newPage(t)
  await signIn(page, 'admin')
  await page.goto(`${BASE}/officers`)
  await assertNoAxeViolations(page, '/officers')
  await page.locator('table a.govuk-link').first().click()
  await page.waitForURL(/\/officers\/[0-9a-f-]{36}$/)
  await assertNoAxeViolations(page, 'an officer')
  await page.goto(`${BASE}/admin/users`)
  await assertNoAxeViolations(page, '/admin/users')
  await page.goto(`${BASE}/admin/users/new`)
  await assertNoAxeViolations(page, '/admin/users/new')
  await page.getByRole('button', { name: 'Add user', exact: true }).click()
  await page.locator('.govuk-error-summary').waitFor({ state: 'visible' })
  await assertNoAxeViolations(page, '/admin/users/new with errors')
  const missing = await page.goto(`${BASE}/no-such-page`)
  assert.equal(missing.status(), 404)
  await assertNoAxeViolations(page, 'the not-found page')
  const forbidden = await page.goto(`${BASE}/audit`)
  assert.equal(forbidden.status(), 403, 'an administrator may not read the audit trail')
  await assertNoAxeViolations(page, 'the forbidden page')

  const investigator = await newPage(t)
  await signIn(investigator, 'investigator')
  await investigator.goto(`${BASE}/officers`)
  await investigator.getByRole('link', { name: 'Restricted record' }).first().click()
  await investigator.getByRole('button', { name: 'Open restricted record' }).waitFor()
  await assertNoAxeViolations(investigator, 'a sealed record')
  await investigator.getByLabel('Why do you need to open this record?').fill('short')
  await investigator.getByRole('button', { name: 'Open restricted record' }).click()
  await investigator.locator('.govuk-error-summary').waitFor({ state: 'visible' })
  await assertNoAxeViolations(investigator, 'a sealed record with an error')
  await investigator.getByLabel('Why do you need to open this record?').fill('Enquiry 44/123: checking duty rota')
  await investigator.getByRole('button', { name: 'Open restricted record' }).click()
  await investigator.getByText('You opened this restricted record').waitFor()
  await assertNoAxeViolations(investigator, 'an opened restricted record')

  const supervisor = await newPage(t)
  await signIn(supervisor, 'control-room-supervisor')
  await supervisor.goto(`${BASE}/quality/thrive`)
  await assertNoAxeViolations(supervisor, '/quality/thrive')
  await supervisor.locator('table a.app-reference').first().click()
  await supervisor.waitForURL(/\/quality\/thrive\/[0-9a-f-]{36}$/)
  await assertNoAxeViolations(supervisor, 'a THRIVE review form')
  await supervisor.getByRole('button', { name: 'Save review' }).click()
  await supervisor.locator('.govuk-error-summary').waitFor({ state: 'visible' })
  await assertNoAxeViolations(supervisor, 'a THRIVE review form with errors')
  for (const question of ['right_grade', 'vulnerability_identified', 'rationale_adequate', 'repeat_checked']) {
    await supervisor.locator(`#${question}`).check()
  }
  await supervisor.getByRole('button', { name: 'Save review' }).click()
  await supervisor.waitForURL(`${BASE}/quality/thrive`)
  assert.ok(await supervisor.locator('svg[role="img"] title').count() === 1, 'the monthly chart is drawn')
  assert.ok(await supervisor.getByText('Quality by month', { exact: true }).isVisible(), 'with its table')
  await assertNoAxeViolations(supervisor, '/quality/thrive with a chart')

  const handler = await newPage(t)
  await signIn(handler, 'call-handler')
  await handler.goto(`${BASE}/people?name=Lane`)
  await assertNoAxeViolations(handler, '/people with results')
  await handler.getByRole('link', { name: 'Mary Lane', exact: true }).click()
  await handler.waitForURL(/\/people\/[0-9a-f-]{36}$/)
  await assertNoAxeViolations(handler, 'a person')
  await handler.getByRole('button', { name: 'Add marker' }).click()
  await handler.locator('.govuk-error-summary').waitFor({ state: 'visible' })
  await assertNoAxeViolations(handler, 'a person with errors')
  await handler.goto(`${BASE}/people/new?forenames=Mary&surname=Lane`)
  await assertNoAxeViolations(handler, '/people/new')
  await handler.getByRole('button', { name: 'Add this person' }).click()
  await handler.getByText('Possible matches').waitFor()
  await assertNoAxeViolations(handler, '/people/new offering likely duplicates')

  const officer = await newPage(t)
  await signIn(officer, 'investigator')
  await officer.goto(`${BASE}/crimes`)
  await assertNoAxeViolations(officer, '/crimes')
  await officer.locator('table a.app-reference').first().click()
  await officer.waitForURL(/\/crimes\/[0-9a-f-]{36}$/)
  await assertNoAxeViolations(officer, 'a crime')
  await officer.getByRole('button', { name: 'Reclassify' }).click()
  await officer.locator('.govuk-error-summary').waitFor({ state: 'visible' })
  await assertNoAxeViolations(officer, 'a crime with errors')
  await officer.locator('main a[href^="/incidents/"]').first().click()
  await officer.waitForURL(/\/incidents\/[0-9a-f-]{36}$/)
  await officer.getByRole('link', { name: 'Record a crime from this incident' }).click()
  await officer.waitForURL(/\/crimes\/new\?incident=/)
  await assertNoAxeViolations(officer, '/crimes/new from an incident')
  await officer.getByRole('button', { name: 'Record crime' }).click()
  await officer.locator('.govuk-error-summary').waitFor({ state: 'visible' })
  await assertNoAxeViolations(officer, '/crimes/new with errors')

  const registrar = await newPage(t)
  await signIn(registrar, 'crime-registrar')
  await registrar.goto(`${BASE}/ncrs`)
  await assertNoAxeViolations(registrar, '/ncrs')
  await registrar.goto(`${BASE}/crimes/compliance`)
  await registrar.getByText('crimes recorded within 24 hours').waitFor()
  await assertNoAxeViolations(registrar, '/crimes/compliance')

  const auditor = await newPage(t)
  await signIn(auditor, 'auditor')
  await auditor.goto(`${BASE}/audit?actor=investigator`)
  assert.ok(await auditor.getByText('officer.open_restricted').first().isVisible(), 'the opening is in the trail')
  await assertNoAxeViolations(auditor, '/audit')
})

// Pages work without JavaScript: sign in, see the home page and its navigation, sign out.
test('sign-in, home and sign-out work with JavaScript off', { timeout: TIMEOUT }, async (t) => {
  const page = await newPage(t, { javaScriptEnabled: false })
  await signIn(page, 'supervisor')
  assert.equal(await page.locator('main').getAttribute('data-role'), 'supervisor')
  // (axe itself needs JavaScript, so accessibility is checked with it on, above.)
  assert.ok(await page.getByRole('link', { name: 'Force directory' }).isVisible(), 'navigation works without a script')
  await page.locator('header form[action="/sign-out"]').getByRole('button', { name: 'Sign out', exact: true }).click()
  await page.waitForURL((url) => url.pathname === '/sign-in')
})

// A call handler takes a 999 domestic call from the form to closure using the keyboard only (focus
// and keys, no clicks); every page on the way is axe-clean, and the repeat warning shows before grading.
async function press (locator, key) {
  await locator.focus()
  await locator.page().keyboard.press(key)
}

test('a call handler records, assesses, grades and closes an incident', { timeout: 120_000 }, async (t) => {
  const page = await newPage(t)
  await signIn(page, 'call-handler')
  await page.goto(`${BASE}/incidents`)
  await assertNoAxeViolations(page, 'the control-room queue')
  await press(page.getByRole('button', { name: 'Record an incident' }), 'Enter')
  await page.waitForURL(`${BASE}/incidents/new`)
  await assertNoAxeViolations(page, 'the new incident form')
  await press(page.getByRole('button', { name: 'Record incident' }), 'Enter')
  await page.locator('.govuk-error-summary').waitFor({ state: 'visible' })
  await assertNoAxeViolations(page, 'the new incident form with errors')
  await press(page.getByLabel('999 emergency call'), 'Space')
  await page.getByLabel("Caller's name").pressSequentially('Mary Lane')
  // A demo address with earlier incidents: the repeat check must flag it.
  await page.getByLabel('Where is it happening?').pressSequentially('2 Mill Road')
  await page.getByLabel('Opening category (NSIR)').selectOption('PSW-DOM')
  await press(page.getByLabel('Domestic abuse'), 'Space')
  await page.getByLabel('What does the caller say?').pressSequentially('Partner shouting; caller frightened')
  await press(page.getByRole('button', { name: 'Record incident' }), 'Enter')
  await page.waitForURL(/\/incidents\/[0-9a-f-]{36}$/)
  await page.getByText('Possible repeat').waitFor()
  assert.match(await page.locator('main').innerText(), /same address: \d+ earlier incidents? in \d+ days/)
  await assertNoAxeViolations(page, 'a new incident with its intake checks')

  // The caller is Mary Lane, a repeat victim: find her as you type and link her as the victim.
  await press(page.getByRole('link', { name: /^Add a person/ }), 'Enter')
  await page.waitForURL(/\/incidents\/[0-9a-f-]{36}\/people$/)
  await assertNoAxeViolations(page, 'the add-a-person search')
  await page.getByLabel('Name', { exact: true }).pressSequentially('Mary Lain')
  // No Search button pressed: the results arrive as she is typed (spelling slips included).
  const add = page.getByRole('button', { name: 'Add Mary Lane to the incident' })
  await add.waitFor()
  assert.match(await page.locator('#people-results').innerText(), /surname sounds alike|similar surname/)
  await assertNoAxeViolations(page, 'people found as you type')
  await press(add, 'Enter')
  await page.waitForURL(/\/incidents\/[0-9a-f-]{36}$/)
  const checks = await page.locator('main').innerText()
  assert.match(checks, /Mary Lane is a repeat victim: victim in \d+ earlier incidents? in \d+ days/)
  assert.match(checks, /Mary Lane has a safeguarding marker: MARAC/)
  assert.ok(checks.indexOf('Mary Lane is a repeat victim') < checks.indexOf('Save THRIVE'), 'the warning comes before grading')
  await assertNoAxeViolations(page, 'an incident with a repeat victim linked')

  await press(page.getByRole('button', { name: 'Save THRIVE' }), 'Enter')
  await page.locator('.govuk-error-summary').waitFor({ state: 'visible' })
  assert.match(await page.locator('.govuk-error-summary').innerText(), /Vulnerability/)
  await assertNoAxeViolations(page, 'an incident with THRIVE errors')
  for (const element of ['threat', 'harm', 'risk', 'investigation', 'vulnerability', 'engagement']) {
    await press(page.locator(`#thrive-${element}-high`), 'Space')
    await page.locator(`#thrive-${element}`).fill(`${element} is high: threats made, children present`)
  }
  await press(page.getByRole('button', { name: 'Save THRIVE' }), 'Enter')
  await page.getByText('THRIVE assessed').waitFor()
  await press(page.getByLabel('Emergency'), 'Space')
  await press(page.getByRole('button', { name: 'Grade', exact: true }), 'Enter')
  await page.getByText('Graded to Emergency').waitFor()
  await press(page.getByRole('button', { name: 'Deploy', exact: true }), 'Enter')
  await page.getByText(/deployed$/).first().waitFor()
  await press(page.getByRole('button', { name: /^At scene/ }), 'Enter')
  await page.getByText(/at scene, \d+ min after the call/).waitFor()
  await assertNoAxeViolations(page, 'an incident with a unit at scene')
  await press(page.getByRole('button', { name: /^Clear/ }), 'Enter')
  await page.getByText(/ cleared$/).first().waitFor()
  await page.getByLabel('Closing category (NSIR)').selectOption('PSW-DOM')
  await page.getByLabel('Result').fill('Officers attended; verbal argument; DASH completed; advice given')
  await page.getByLabel('If crime-related and no crime was recorded: why (NCRS)').fill('No notifiable offence disclosed by either party')
  await press(page.getByRole('button', { name: 'Close incident' }), 'Enter')
  await page.getByText('Closed as Domestic incident').waitFor()
  await assertNoAxeViolations(page, 'a closed incident')
})

// Athena was criticised for about 50 clicks to build a shop-theft file. Here a call handler takes
// the shop's call and links the known suspect (Dean Hollis, found as typed with a slip), then an
// investigator records the crime from the incident with the shop as victim and the stolen goods,
// keyboard only. Every action the investigator takes (a key press on a control, a field typed, a
// choice made) is counted and reported; every page on the way is axe-clean. The registrar then
// sees the cancellation form and the delegation page, also axe-clean.
test('an investigator records a shop theft with a known suspect in a handful of interactions', { timeout: 120_000 }, async (t) => {
  const handler = await newPage(t)
  await signIn(handler, 'call-handler')
  await handler.goto(`${BASE}/incidents/new`)
  await press(handler.getByLabel('101 non-emergency call'), 'Space')
  await handler.getByLabel("Caller's name").pressSequentially('Store manager')
  await handler.getByLabel('Where is it happening?').pressSequentially('Co-op, 3 High Street, Wealdbury')
  await handler.getByLabel('Opening category (NSIR)').selectOption('CRM-THF')
  await handler.getByLabel('What does the caller say?').pressSequentially('Man detained by staff after taking spirits; known to them')
  await press(handler.getByRole('button', { name: 'Record incident' }), 'Enter')
  await handler.waitForURL(/\/incidents\/[0-9a-f-]{36}$/)
  const incidentUrl = handler.url()
  await press(handler.getByRole('link', { name: /^Add a person/ }), 'Enter')
  await handler.getByLabel('Name', { exact: true }).pressSequentially('Dean Holis')
  const add = handler.getByRole('button', { name: 'Add Dean Hollis to the incident' })
  await add.waitFor()
  await handler.getByLabel("Dean Hollis's part in the incident").selectOption('suspect')
  await press(add, 'Enter')
  await handler.waitForURL(incidentUrl)

  // The investigator's part: every interaction counted.
  const page = await newPage(t)
  await signIn(page, 'investigator')
  await page.goto(incidentUrl)
  let interactions = 0
  const act = async (what) => { interactions += 1; await what() }
  await act(() => press(page.getByRole('link', { name: 'Record a crime from this incident' }), 'Enter'))
  await page.waitForURL(/\/crimes\/new\?incident=/)
  assert.equal(await page.getByLabel(/Dean Hollis/).inputValue().then((v) => v.endsWith(':suspect')), true, 'the suspect comes from the incident')
  assert.equal(await page.getByLabel('Address', { exact: true }).first().inputValue(), 'Co-op, 3 High Street, Wealdbury', 'the shop address comes from the incident')
  await assertNoAxeViolations(page, 'the new crime form from a shop-theft incident')
  await act(() => page.getByLabel('Name', { exact: true }).pressSequentially('Co-op'))
  await act(() => page.getByLabel('Offence (Home Office classification)').selectOption('46'))
  await act(() => page.locator('#object-0-description').pressSequentially('Two bottles of gin'))
  await act(() => page.locator('#object-0-value').pressSequentially('38.50'))
  await act(() => press(page.getByRole('button', { name: 'Record crime' }), 'Enter'))
  await page.waitForURL(/\/crimes\/[0-9a-f-]{36}$/)
  const crimeUrl = page.url()
  const text = await page.locator('main').innerText()
  assert.match(text, /Shoplifting/)
  assert.match(text, /Dean Hollis/)
  assert.match(text, /Co-op/)
  assert.match(text, /Other property: Two bottles of gin, £38\.50/)
  assert.match(text, /meets every classification and recording rule/)
  await assertNoAxeViolations(page, 'a recorded shop theft with its shop, suspect and property')
  console.log(`shop theft with a known suspect, recorded from the incident: ${interactions} interactions`)
  assert.ok(interactions <= 8, `recording a shop theft took ${interactions} interactions`)

  // Adding property after recording, with an error first.
  await press(page.locator('#add-property summary'), 'Enter')
  await page.locator('#link-object-description').pressSequentially('Phone dropped by the suspect')
  await page.locator('#link-object-kind').selectOption('mobile-phone')
  await page.locator('#link-object-identifier_kind').selectOption('imei')
  await page.locator('#link-object-identifier').pressSequentially('356938035643808')
  await press(page.getByRole('button', { name: 'Add property' }), 'Enter')
  await page.locator('.govuk-error-summary').waitFor({ state: 'visible' })
  assert.match(await page.locator('.govuk-error-summary').innerText(), /check digit/)
  await assertNoAxeViolations(page, 'a crime with a property error')

  const registrar = await newPage(t)
  await signIn(registrar, 'crime-registrar')
  await registrar.goto(crimeUrl)
  await registrar.getByRole('heading', { name: 'Cancel this crime' }).waitFor()
  await press(registrar.getByRole('button', { name: 'Cancel crime' }), 'Enter')
  await registrar.locator('.govuk-error-summary').waitFor({ state: 'visible' })
  await assertNoAxeViolations(registrar, 'the cancellation form with errors')
  await registrar.goto(`${BASE}/crimes/delegations`)
  await registrar.getByText('supervisor').first().waitFor()
  await assertNoAxeViolations(registrar, 'the registrar\'s delegations')
  await registrar.goto(`${BASE}/objects?identifier=AB1`)
  await assertNoAxeViolations(registrar, 'the object search')
  await registrar.goto(`${BASE}/merges`)
  await assertNoAxeViolations(registrar, 'the person merge queue')
})
