/// <reference lib="dom" />
// The browser side of the web app: a script (no modules), compiled by the repo's tsc and served
// as /assets/live.js. The pages work without it; it adds live updates over Server-Sent Events.
(() => {
  const body = document.body;
  const main = document.getElementById('main');
  const status = document.getElementById('live-status');
  const kinds = (body.dataset.live ?? '').split(' ').filter(Boolean);
  if (!main || kinds.length === 0 || typeof EventSource === 'undefined') return;

  let dirty = false;
  let waiting = false;
  main.addEventListener('input', () => (dirty = true));
  main.addEventListener('submit', () => (dirty = false));

  const announce = (text: string) => {
    if (status) status.textContent = text;
  };

  const editing = () => {
    const active = document.activeElement;
    return dirty || (!!active && main.contains(active) && /^(INPUT|TEXTAREA|SELECT)$/.test(active.tagName));
  };

  /** Refetch this page's main content; while someone is typing, offer it instead of replacing their work. */
  async function refresh(force = false): Promise<void> {
    if (!force && editing()) {
      if (waiting) return;
      waiting = true;
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'live-offer';
      button.textContent = body.dataset.offerText ?? 'New information: refresh';
      button.addEventListener('click', () => {
        button.remove();
        waiting = false;
        dirty = false;
        void refresh(true);
      });
      main?.prepend(button);
      announce(button.textContent);
      return;
    }
    const response = await fetch(body.dataset.url ?? location.href, { headers: { 'x-draaiboek-fragment': 'main' }, credentials: 'same-origin' });
    if (response.redirected || !response.ok || !main) return;
    main.innerHTML = await response.text();
    body.dataset.refreshes = String(Number(body.dataset.refreshes ?? '0') + 1);
    announce(body.dataset.updatedText ?? 'Updated');
  }

  const source = new EventSource('/events', { withCredentials: true });
  source.addEventListener('open', () => (body.dataset.liveState = 'connected'));
  source.addEventListener('error', () => (body.dataset.liveState = 'reconnecting'));
  source.addEventListener('changed', (event) => {
    const changed: string[] = JSON.parse((event as MessageEvent<string>).data).kinds ?? [];
    if (changed.some((k) => kinds.includes(k))) void refresh();
  });
})();
