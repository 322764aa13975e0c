// CallService.connect over a FakeHub instead of a real SignalR connection: for tests of what the
// service does with the hub's events (the listener it calls, the state it keeps).

import { HubConnectionBuilder } from '@microsoft/signalr';
import { CallService } from '../../src/call-service.js';
import { FakeHub } from './fake-host.mjs';

/**
 * Connects a CallService with `options` whose hub connection is `hub`: SignalR's builder is made to
 * build the fake for this one connect. Resolves to `{ service, hub }`.
 */
export async function connectOverFakeHub(options, hub = new FakeHub()) {
  const build = HubConnectionBuilder.prototype.build;
  HubConnectionBuilder.prototype.build = () => /** @type {any} */ (hub);
  try {
    const service = await CallService.connect(options);
    return { service, hub };
  } finally {
    HubConnectionBuilder.prototype.build = build;
  }
}
