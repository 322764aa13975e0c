// The softphone's "Recent calls": a signed-in user's call history (callService.history), newest first,
// with "Call back" and "Delete" on each call and "Clear" for all; read at sign-in and again whenever
// the hub says the history changed (listener.callHistoryChanged). Anonymous callers have no history.

const $ = (id) => document.getElementById(id);

/** How many calls the list shows. */
const SHOWN = 50;

const TODAY = new Intl.DateTimeFormat(undefined, { timeStyle: 'short' });
const EARLIER = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** "0:07", "12:34", "1:02:03". */
export function formatDuration(totalSeconds) {
  const seconds = Math.max(0, Math.round(totalSeconds));
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = String(seconds % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

/** An end reason in words: "NoAnswer" → "no answer". */
function reasonText(endReason) {
  return endReason ? endReason.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase() : 'not answered';
}

/** When a call was made: the time for today's calls, else the date and time. */
function formatWhen(date, now = new Date()) {
  if (!date) return '';
  return date.toDateString() === now.toDateString() ? TODAY.format(date) : EARLIER.format(date);
}

function element(tag, { className, text, attributes = {} } = {}) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  return node;
}

/** The list item of one history entry (data attributes for tests and styles). */
function entryItem(entry) {
  const item = element('li', { className: entry.missed ? 'missed' : '' });
  Object.assign(item.dataset, {
    callId: entry.callId,
    direction: entry.direction,
    missed: String(entry.missed),
    answered: String(entry.answeredAt !== null),
    endReason: entry.endReason ?? '',
    remoteAddress: entry.remoteAddress,
    durationSeconds: String(entry.durationSeconds),
  });

  const party = entry.remoteDisplayName ? `${entry.remoteDisplayName} <${entry.remoteAddress}>` : entry.remoteAddress;
  const who = element('div', { className: 'who' });
  who.append(
    element('span', { className: 'direction', text: entry.direction === 'incoming' ? '↙ Incoming' : '↗ Outgoing' }),
    element('span', { className: 'party', text: party }),
  );
  if (entry.missed) who.append(element('span', { className: 'badge missed-label', text: 'missed' }));
  if (entry.video) who.append(element('span', { className: 'badge', text: 'video' }));

  const when = element('div', { className: 'when' });
  when.append(element('time', { text: formatWhen(entry.createdAt), attributes: { datetime: entry.createdAt?.toISOString() ?? '' } }));
  when.append(entry.answeredAt
    ? element('span', { className: 'duration', text: formatDuration(entry.durationSeconds) })
    : element('span', { className: 'outcome', text: reasonText(entry.endReason) }));

  const actions = element('div', { className: 'actions' });
  actions.append(
    element('button', { className: 'call-back', text: 'Call back', attributes: { type: 'button', title: `Call ${entry.remoteAddress}` } }),
    element('button', { className: 'delete', text: 'Delete', attributes: { type: 'button', title: 'Remove from the history' } }),
  );

  item.append(who, when, actions);
  return item;
}

/**
 * The "Recent calls" card. `dial(address)` calls back (with the dial form's media choice);
 * `log(name, detail)` records what happened; `showError(error)` shows a failure (null: none).
 */
export class RecentCalls {
  #service = null;
  #entries = [];
  #log;
  #showError;
  #dial;
  #callBackEnabled = true;
  #loading = null;
  #wanted = false;

  constructor({ dial, log, showError }) {
    this.#dial = dial;
    this.#log = log;
    this.#showError = showError;
    $('history-clear').addEventListener('click', () => this.#clear());
    $('history-list').addEventListener('click', (event) => {
      const button = event.target instanceof Element ? event.target.closest('button') : null;
      const item = button?.closest('li[data-call-id]');
      if (!item || button.disabled) return;
      if (button.classList.contains('call-back')) {
        this.#log('callBack', item.dataset.remoteAddress);
        this.#dial(item.dataset.remoteAddress);
      } else if (button.classList.contains('delete')) {
        this.#remove(item.dataset.callId);
      }
    });
  }

  /** The calls shown, newest first. */
  get entries() {
    return [...this.#entries];
  }

  /** A new session: `service`, and whether it has a history (a user, not anonymous). Reads it. */
  async attach(service, { user }) {
    this.#service = user ? service : null;
    $('history').hidden = !this.#service;
    this.#reset();
    await this.refresh();
  }

  /** At sign-out. */
  detach() {
    this.#service = null;
    $('history').hidden = true;
    this.#reset();
  }

  /** Reads the history again; asked while a read is under way, one more read follows it. */
  refresh() {
    this.#wanted = true;
    this.#loading ??= this.#readWhileWanted().finally(() => { this.#loading = null; });
    return this.#loading;
  }

  /** "Call back" buttons follow the dial button (no new call while one is under way). */
  setCallBackEnabled(enabled) {
    this.#callBackEnabled = enabled;
    for (const button of $('history-list').querySelectorAll('.call-back')) button.disabled = !enabled;
  }

  async #readWhileWanted() {
    while (this.#wanted && this.#service) {
      this.#wanted = false;
      const service = this.#service;
      try {
        const entries = await service.history.fetch(SHOWN);
        if (service !== this.#service) continue; // signed out (or in again) meanwhile
        this.#show(entries);
        this.#showError(null);
        this.#log('historyLoaded', `${entries.length} calls`);
      } catch (error) {
        if (service !== this.#service) continue;
        this.#showError(error);
        this.#log('historyFailed', `${error.code ?? ''}: ${error.message ?? error}`);
      }
    }
  }

  async #remove(callId) {
    const service = this.#service;
    const item = $('history-list').querySelector(`li[data-call-id="${CSS.escape(callId)}"]`);
    for (const button of item?.querySelectorAll('button') ?? []) button.disabled = true;
    try {
      await service.history.remove(callId);
      this.#log('historyRemoved', callId);
    } catch (error) {
      // CallNotFound: already gone (removed on another device), so it leaves the list too.
      if (error.code !== 'CallNotFound') {
        this.#showError(error);
        this.#log('historyRemoveFailed', `${error.code}: ${error.message}`);
        if (service === this.#service) this.#show(this.#entries); // its buttons back
        return;
      }
    }
    if (service === this.#service) this.#show(this.#entries.filter((entry) => entry.callId !== callId));
  }

  async #clear() {
    const service = this.#service;
    $('history-clear').disabled = true;
    try {
      await service.history.clear();
      this.#log('historyCleared', '');
      if (service === this.#service) this.#show([]);
    } catch (error) {
      this.#showError(error);
      this.#log('historyClearFailed', `${error.code}: ${error.message}`);
      $('history-clear').disabled = this.#entries.length === 0;
    }
  }

  /** Nothing read yet: an empty list, and no "No calls" either. */
  #reset() {
    this.#entries = [];
    $('history-list').replaceChildren();
    $('history-empty').hidden = true;
    $('history-clear').disabled = true;
    $('history').dataset.loaded = 'false';
    $('history').dataset.count = '0';
    this.#showError(null);
  }

  #show(entries) {
    this.#entries = entries;
    const list = $('history-list');
    list.replaceChildren(...entries.map(entryItem));
    this.setCallBackEnabled(this.#callBackEnabled);
    $('history-empty').hidden = entries.length > 0;
    $('history-clear').disabled = entries.length === 0;
    $('history').dataset.count = String(entries.length);
    $('history').dataset.loaded = 'true';
  }
}
