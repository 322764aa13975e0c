// An ES-module face for the vendored UMD build of @microsoft/signalr (signalr.min.js, MIT), so that
// `import * as signalR from "@microsoft/signalr"` works in the browser through the page's import map.
// The UMD build assigns `self.signalR` when it runs as a module (it has no `exports` there).
import './signalr.min.js';

const signalR = globalThis.signalR;
if (!signalR || !signalR.HubConnectionBuilder) {
  throw new Error('lib/signalr.min.js did not define window.signalR');
}

export default signalR;
export const {
  AbortError,
  DefaultHttpClient,
  HttpClient,
  HttpError,
  HttpResponse,
  HttpTransportType,
  HubConnection,
  HubConnectionBuilder,
  HubConnectionState,
  JsonHubProtocol,
  LogLevel,
  MessageType,
  NullLogger,
  Subject,
  TimeoutError,
  TransferFormat,
  VERSION,
} = signalR;
