// Browser and accessibility tests for triage and allocation (issue 6), keyboard only: a triage
// officer screens a crime against its solvability model; a supervisor bulk-accepts the proposed
// allocations and sees the backlog view change. Every page on the way is axe-clean (WCAG 2.2 AA).
// Run by scripts/browser-test, which starts `bluelamp demo` and sets:
//   BLUELAMP_URL       base URL of the running server, e.g. http://127.0.0.1:41234
//   BLUELAMP_PASSWORD  the password shared by every demo user
// The tests in this file run in order: the first screens a crime, the second allocates the queue.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { BASE, PASSWORD, TIMEOUT, useBrowser, pathOf, assertNoAxeViolations } from './support.mjs'

const newPage = useBrowser()

// Signs in from the keyboard: type the name and password, Enter to submit.
async function signIn (page, username) {
  await page.goto(`${BASE}/sign-in`)
  await page.getByLabel('User name', { exact: true }).pressSequentially(username)
  await page.getByLabel('Password', { exact: true }).pressSequentially(PASSWORD)
  await page.keyboard.press('Enter')
  await page.waitForURL(`${BASE}/`)
}

const isFocused = (locator) => locator.evaluate((el) => el === document.activeElement)

// Presses Tab (or Shift+Tab) until `locator` has the focus, as a keyboard user would; fails if it
// is not reached within `limit` presses. Returns how many presses it took.
async function tabTo (locator, { back = false, limit = 400 } = {}) {
  const page = locator.page()
  for (let presses = 1; presses <= limit; presses++) {
    await page.keyboard.press(back ? 'Shift+Tab' : 'Tab')
    if (await isFocused(locator)) return presses
  }
  assert.fail(`${await locator.evaluate((el) => el.outerHTML.slice(0, 200))} not reached by ${back ? 'Shift+' : ''}Tab`)
}

// Presses a key on the focused element and returns the response of the navigation it starts.
async function navigateWith (page, key) {
  const [response] = await Promise.all([page.waitForNavigation(), page.keyboard.press(key)])
  return response
}

// A figure of the backlog's headline list, e.g. "Waiting for allocation" → "41 crimes".
async function figure (page, term) {
  const row = page.locator('#figures > div').filter({ has: page.locator('dt', { hasText: term }) })
  return (await row.locator('dd').innerText()).trim()
}

const count = (text) => {
  const match = /^([\d,]+) crimes?\b/.exec(text)
  assert.ok(match, `"${text}" should start with a number of crimes`)
  return Number(match[1].replaceAll(',', ''))
}

// The backlog's daily flow table summed over its days: crimes in, allocated and screened out.
async function flowTotals (page) {
  const table = page.getByRole('table', { name: /Crimes in and out of the queue each day/ })
  const rows = await table.locator('tbody tr').evaluateAll((trs) =>
    trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => Number(td.textContent.trim()))))
  assert.ok(rows.length > 0, 'the flow table has a row for each day')
  return rows.reduce((sum, [inflow, allocated, screenedOut]) => ({
    inflow: sum.inflow + inflow, allocated: sum.allocated + allocated, screenedOut: sum.screenedOut + screenedOut
  }), { inflow: 0, allocated: 0, screenedOut: 0 })
}

// Reasons that exclude a crime from solvability screening, as the queue's "Why" column gives them.
const EXCLUDED = /Domestic abuse|Vulnerable victim|Child victim|Hate crime/

test('a triage officer screens a minor assault with the keyboard only', { timeout: TIMEOUT }, async (t) => {
  const page = await newPage(t)
  await signIn(page, 'triage')
  await page.goto(`${BASE}/triage`)
  await page.getByRole('heading', { level: 1, name: 'Triage queue' }).waitFor()
  await assertNoAxeViolations(page, 'the triage queue')

  // A minor assault (105A) with no exclusion, not screened yet: the demo's first waiting crime is one.
  const queue = page.getByRole('table', { name: /highest priority first/ })
  const row = queue.getByRole('row')
    .filter({ hasText: '105A Assault without injury' })
    .filter({ hasText: 'Not screened' })
    .filter({ hasNotText: EXCLUDED })
    .first()
  assert.equal(await row.count(), 1, 'an unscreened 105A crime without an exclusion waits (run against a fresh demo)')
  const link = row.getByRole('link')
  const number = (await link.innerText()).trim()
  assert.match(number, /\S/, 'the crime has a number')
  assert.match(await link.getAttribute('href'), /^\/triage\/crimes\/[0-9a-f-]{36}$/)

  // Tab to the crime's screening link and follow it.
  const tabs = await tabTo(link)
  console.log(`triage: ${tabs} Tab presses to reach ${number} in the queue`)
  await navigateWith(page, 'Enter')
  assert.match(pathOf(page), /^\/triage\/crimes\/[0-9a-f-]{36}$/)
  const crimeUrl = page.url()
  await page.getByRole('heading', { level: 1, name: 'Screen: Assault without injury' }).waitFor()
  assert.ok(await page.getByText(`Crime ${number}`).isVisible(), 'the caption names the crime')
  assert.ok(await page.getByText('Minor non-domestic assault and public order (EBIT factors)').isVisible(),
    'the EBIT model applies')
  assert.equal(await page.locator('#exclusion').count(), 0, 'no exclusion banner')
  assert.ok(await page.getByText('Not screened yet.').isVisible(), 'no screening decision yet')
  await assertNoAxeViolations(page, 'the screening page')

  // Named suspect (+3), CCTV (+2) and a prompt report (+1): 6, the threshold, so screen in.
  const factors = page.getByRole('group', { name: 'Which of these are present?' })
  for (const label of ['Named suspect (+3)', 'CCTV evidence (+2)', 'Reported within 28 days (+1)']) {
    const box = factors.getByRole('checkbox', { name: label })
    await tabTo(box)
    await page.keyboard.press('Space')
    assert.ok(await box.isChecked(), `${label} is ticked`)
  }
  const decision = page.getByRole('group', { name: 'Decision' })
  const investigate = decision.getByRole('radio', { name: /^Investigate/ })
  const desk = decision.getByRole('radio', { name: /^Desk investigation/ })
  const screenOut = decision.getByRole('radio', { name: /^Screen out/ })
  // Against the recommendation, without a reason: the radio group is one Tab stop, the arrows choose.
  await tabTo(investigate)
  await page.keyboard.press('ArrowDown')
  await page.keyboard.press('ArrowDown')
  assert.ok(await screenOut.isChecked(), 'screen out chosen with the arrow keys')
  const save = page.getByRole('button', { name: 'Save screening decision' })
  await tabTo(save)
  const refused = await navigateWith(page, 'Enter')
  assert.equal(refused.status(), 422, 'screening out against the recommendation without a reason is refused')
  const summary = page.locator('.govuk-error-summary')
  await summary.waitFor({ state: 'visible' })
  assert.match(await page.title(), /^Error: /)
  const error = summary.getByRole('link', { name: /give the reason for screening it out/ })
  assert.equal(await error.getAttribute('href'), '#override_reason', 'the error summary names the reason field')
  assert.match(await page.locator('#override_reason-error').innerText(), /give the reason for screening it out/)
  for (const label of ['Named suspect (+3)', 'CCTV evidence (+2)', 'Reported within 28 days (+1)']) {
    assert.ok(await factors.getByRole('checkbox', { name: label }).isChecked(), `${label} is still ticked`)
  }
  assert.ok(await screenOut.isChecked(), 'the decision is kept')
  await assertNoAxeViolations(page, 'the screening page with an error')

  // The error link takes the focus to the reason.
  await tabTo(error)
  await page.keyboard.press('Enter')
  const reason = page.getByLabel('Reason, if your decision goes against the recommendation')
  await page.waitForFunction(() => document.activeElement?.id === 'override_reason')
  assert.ok(await isFocused(reason), 'the error link moves the focus to the reason')

  // Follow the recommendation instead: back to the decision, up to Investigate, and save.
  await tabTo(screenOut, { back: true, limit: 10 })
  await page.keyboard.press('ArrowUp')
  assert.ok(await desk.isChecked())
  await page.keyboard.press('ArrowUp')
  assert.ok(await investigate.isChecked(), 'investigate chosen with the arrow keys')
  await tabTo(save, { limit: 10 })
  const saved = await navigateWith(page, 'Space')
  assert.equal(saved.status(), 200)
  assert.equal(page.url(), `${crimeUrl}?screened=1`)

  const notice = page.getByRole('region', { name: 'Important' })
  assert.equal((await notice.innerText()).replace(/\s+/g, ' ').replace(/^Important /, ''),
    'Screened: score 6 against a threshold of 6; the model recommends screen in: investigate. ' +
    'Decision: Investigate: allocate to an investigator.')
  assert.equal(await page.locator('.govuk-error-summary').count(), 0)
  // The crime's history lists the decision.
  const history = page.getByRole('table', { name: 'Screening decisions, newest first' })
  const rows = history.locator('tbody tr')
  assert.equal(await rows.count(), 1, 'one screening decision')
  const cells = (await rows.first().locator('td').allInnerTexts()).map((c) => c.trim())
  const [, by, model, score, present, recommendation, decided] = cells
  assert.equal(by, 'triage')
  assert.equal(model, 'Minor non-domestic assault and public order (EBIT factors) (version 1)')
  assert.equal(score, '6 (threshold 6)')
  assert.deepEqual(present.split('; ').sort(), ['CCTV evidence', 'Named suspect', 'Reported within 28 days'])
  assert.equal(recommendation, 'Screen in: investigate')
  assert.equal(decided, 'Investigate: allocate to an investigator')
  const route = page.locator('.govuk-summary-list__row').filter({ has: page.locator('dt', { hasText: /^Route$/ }) })
  assert.equal((await route.locator('dd').innerText()).trim(), 'Investigate', 'the crime is routed to an investigator')
  await assertNoAxeViolations(page, 'a screened crime')

  // Back in the queue, the crime waits for an investigator.
  await page.goto(`${BASE}/triage`)
  const screened = queue.getByRole('row').filter({ has: page.getByRole('link', { name: number, exact: true }) })
  assert.match(await screened.innerText(), /Investigate/)
})

test('a supervisor accepts the proposed allocations and the backlog goes down', { timeout: TIMEOUT }, async (t) => {
  const page = await newPage(t)
  await signIn(page, 'supervisor')
  await page.goto(`${BASE}/triage/backlog`)
  await page.getByRole('heading', { level: 1, name: 'Backlog recovery' }).waitFor()
  const waiting = count(await figure(page, 'Waiting for allocation'))
  assert.ok(waiting > 0, `crimes should be waiting (${waiting})`)
  const flow = await flowTotals(page)
  assert.ok(await page.getByRole('img', { name: /^Crimes waiting by how long they have waited/ }).isVisible())
  assert.ok(await page.getByRole('table', { name: 'Crimes waiting by how long they have waited' }).isVisible(),
    'the chart has its table')
  await assertNoAxeViolations(page, 'the backlog')

  // To the proposals by the section's navigation.
  const subnav = page.getByRole('navigation', { name: 'Triage and allocation' })
  await tabTo(subnav.getByRole('link', { name: 'Proposed allocations' }))
  await navigateWith(page, 'Enter')
  assert.equal(pathOf(page), '/triage/allocations')
  await page.getByRole('heading', { level: 1, name: 'Proposed allocations' }).waitFor()
  const intro = (await page.locator('main').innerText()).replace(/\s+/g, ' ')
  const [, proposedWaiting, canNow] = /One proposal for every crime waiting \(([\d,]+) crimes?\).*?([\d,]+) can be allocated now/.exec(intro) ?? []
  // (Another test file may record a crime meanwhile: the queue only grows while nobody allocates.)
  assert.ok(Number(proposedWaiting?.replaceAll(',', '')) >= waiting, `one proposal for each of the ${waiting} crimes waiting: ${intro}`)
  const boxes = page.getByRole('table', { name: 'Proposals, highest priority first' }).getByRole('checkbox')
  const ticked = await boxes.evaluateAll((inputs) => inputs.filter((i) => i.checked).length)
  assert.ok(ticked > 0, 'some proposals are ticked')
  assert.equal(ticked, Number(canNow.replaceAll(',', '')), 'every proposal is ticked')
  assert.equal(await boxes.count(), ticked)
  await assertNoAxeViolations(page, 'the proposed allocations')

  // The same button stands above the table and below it: the one above is reached first.
  const buttons = page.getByRole('button', { name: 'Accept selected allocations' })
  assert.equal(await buttons.count(), 2, 'an accept button above the proposals and one below')
  const tabs = await tabTo(buttons.first(), { limit: 1000 })
  console.log(`supervisor: ${tabs} Tab presses to reach "Accept selected allocations" (${ticked} proposals ticked)`)
  const accepted = await navigateWith(page, 'Enter')
  assert.equal(accepted.status(), 200)
  assert.equal(page.url(), `${BASE}/triage/allocations?allocated=${ticked}`)
  const notice = page.getByRole('region', { name: 'Important' })
  assert.match(await notice.innerText(), new RegExp(`\\b${ticked} crimes? allocated\\b`))
  assert.equal(await page.locator('.govuk-error-summary').count(), 0)
  await assertNoAxeViolations(page, 'the proposed allocations after accepting')

  await tabTo(subnav.getByRole('link', { name: 'Backlog' }))
  await navigateWith(page, 'Enter')
  assert.equal(pathOf(page), '/triage/backlog')
  const after = await flowTotals(page)
  const left = count(await figure(page, 'Waiting for allocation'))
  assert.equal(after.allocated - flow.allocated, ticked, 'the flow table counts the allocations')
  // Crimes recorded meanwhile (by other tests) join the queue; none are screened out here.
  const arrived = after.inflow - flow.inflow
  assert.equal(after.screenedOut, flow.screenedOut)
  assert.equal(left, waiting - ticked + arrived, `waiting: ${waiting} - ${ticked} allocated + ${arrived} arrived`)
  assert.ok(left < waiting, 'the backlog went down')
  console.log(`supervisor: ${ticked} allocated; waiting ${waiting} before, ${left} after (${arrived} arrived meanwhile)`)
  await assertNoAxeViolations(page, 'the backlog after allocating')
})
