// What every browser test file shares: the server under test, one headless Chromium per file, a
// fresh context per test, the axe check (WCAG 2.2 AA) and keyboard-only helpers.
// scripts/browser-test starts `bluelamp demo` and sets:
//   BLUELAMP_URL       base URL of the running server, e.g. http://127.0.0.1:41234
//   BLUELAMP_PASSWORD  the password shared by every demo user
// Uses Debian's /usr/bin/chromium through playwright-core, and axe-core.
import { before, after } from 'node:test'
import assert from 'node:assert/strict'
import { chromium } from 'playwright-core'
import AxeBuilder from '@axe-core/playwright'

export const BASE = process.env.BLUELAMP_URL?.replace(/\/+$/, '')
export const PASSWORD = process.env.BLUELAMP_PASSWORD
export const TIMEOUT = 60_000
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']

// Launches Chromium before the file's tests and closes it after; returns `newPage(t, options)`,
// which opens a page in a fresh context (no cookies; playwright context `options`, e.g.
// `{ javaScriptEnabled: false }`) closed when test `t` ends.
export function useBrowser () {
  let browser
  before(async () => {
    assert.ok(BASE, 'BLUELAMP_URL must be set (run scripts/browser-test)')
    assert.ok(PASSWORD, 'BLUELAMP_PASSWORD must be set (run scripts/browser-test)')
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync']
    })
  })
  after(async () => {
    await browser?.close()
  })
  return async function newPage (t, options = {}) {
    const context = await browser.newContext(options)
    context.setDefaultTimeout(10_000)
    t.after(() => context.close())
    return context.newPage()
  }
}

export const pathOf = (page) => new URL(page.url()).pathname

// Runs axe with the WCAG 2.2 AA tag set and fails with a readable list of violations.
export async function assertNoAxeViolations (page, what) {
  const results = await new AxeBuilder({ page }).withTags(AXE_TAGS).analyze()
  const report = results.violations.map((v) =>
    `  ${v.id} (${v.impact}): ${v.help}\n` +
    v.nodes.map((n) => `      at ${n.target.join(' ')}`).join('\n')
  ).join('\n')
  if (report) console.log(`axe violations on ${what}:\n${report}`)
  assert.equal(results.violations.length, 0, `axe violations on ${what}:\n${report}`)
  assert.ok(results.passes.length > 0, `axe checked nothing on ${what}`)
}

// ---- Keyboard-only use ------------------------------------------------------------------------------

export const isFocused = (locator) => locator.evaluate((el) => el === document.activeElement)

// Signs in from the keyboard: type the name and password, Enter to submit; waits for the home page.
export async function signInByKeyboard (page, username, password = PASSWORD) {
  await page.goto(`${BASE}/sign-in`)
  await page.getByLabel('User name', { exact: true }).pressSequentially(username)
  await page.getByLabel('Password', { exact: true }).pressSequentially(password)
  await page.keyboard.press('Enter')
  await page.waitForURL(`${BASE}/`)
}

// Presses Tab (or Shift+Tab) until `locator` has the focus, as a keyboard user would; fails if it
// is not reached within `limit` presses. Returns how many presses it took.
export async function tabTo (locator, { back = false, limit = 400 } = {}) {
  const page = locator.page()
  for (let presses = 1; presses <= limit; presses++) {
    await page.keyboard.press(back ? 'Shift+Tab' : 'Tab')
    if (await isFocused(locator)) return presses
  }
  assert.fail(`${await locator.evaluate((el) => el.outerHTML.slice(0, 200))} not reached by ${back ? 'Shift+' : ''}Tab`)
}

// Presses a key on the focused element and returns the response of the navigation it starts.
export async function navigateWith (page, key) {
  const [response] = await Promise.all([page.waitForNavigation(), page.keyboard.press(key)])
  return response
}
