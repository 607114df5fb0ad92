/* Family Budget's service worker: shows Web Push notifications and opens their page on click.
   The payload is JSON sent by the API's worker: {title, body, url, kind, household_id, tag}.
   The tag makes a repeated delivery of one alert replace the notification, not add a second. */
self.addEventListener("push", (event) => {
  let message = {};
  try {
    message = event.data ? event.data.json() : {};
  } catch {
    message = { title: "Family Budget", body: event.data ? event.data.text() : "" };
  }
  event.waitUntil(
    self.registration.showNotification(message.title || "Family Budget", {
      body: message.body || "",
      tag: message.tag || undefined,
      data: { url: message.url || "/" },
    }),
  );
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const url = (event.notification.data && event.notification.data.url) || "/";
  event.waitUntil(self.clients.openWindow(url));
});
