// Tells OnePass the browser's time zone, so account pages show times as the citizen reads them
// (Features/Site/CitizenTime.cs). Only the zone's name is sent; nothing else about the device.
(() => {
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (!zone || zone.length > 64) return;
  const current = document.cookie.split('; ').find((c) => c.startsWith('onepass.tz='));
  if (current === `onepass.tz=${encodeURIComponent(zone)}`) return;
  const secure = location.protocol === 'https:' ? '; secure' : '';
  document.cookie = `onepass.tz=${encodeURIComponent(zone)}; path=/; max-age=31536000; samesite=lax${secure}`;
})();
