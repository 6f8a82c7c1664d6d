/**
 * ZeroMQ for Deno and Bun: the system's libzmq through the runtime's own FFI,
 * with promises and `for await` over sockets.
 *
 * @example Pipeline
 * ```ts
 * import * as zmq from "./mod.ts";
 *
 * const pull = new zmq.Pull();
 * await pull.bind("tcp://127.0.0.1:*");
 * const push = new zmq.Push();
 * push.connect(pull.lastEndpoint!);
 *
 * await push.send(["job", "42"]);
 * const [kind, id] = await pull.receive();
 * console.log(new TextDecoder().decode(kind), new TextDecoder().decode(id));
 * push.close();
 * pull.close();
 * ```
 *
 * @example Request and reply
 * ```ts
 * import * as zmq from "./mod.ts";
 *
 * const rep = new zmq.Reply();
 * await rep.bind("inproc://echo");
 * const req = new zmq.Request();
 * req.connect("inproc://echo");
 *
 * await req.send("ping");
 * const [question] = await rep.receive();
 * await rep.send(question);
 * console.log(await req.receive());
 * req.close();
 * rep.close();
 * ```
 *
 * @module
 */
export { Context, type ContextOptions } from "./src/context.ts";
export { ZmqError } from "./src/errors.ts";
export { LIBRARY_PATH_VARIABLE, LibraryLoadError } from "./ffi/load.ts";
export type { Frame, Message } from "./src/frames.ts";
export { Socket, type SocketConstructorOptions, type SocketTypeName } from "./src/socket.ts";
export { SocketType } from "./ffi/constants.ts";
export { Readable, type ReceiveOptions, type SocketClass } from "./src/readable.ts";
export { type SendOptions, Writable } from "./src/writable.ts";
export type { WaitOptions } from "./src/socket_engine.ts";
export * from "./src/socket_types.ts";
export type * from "./src/socket_options.ts";
export { type Capability, has, version } from "./src/facts.ts";
export { type CurveKeyPair, curveKeyPair, curvePublic, z85Decode, z85Encode } from "./src/keys.ts";
export { context } from "./src/default_context.ts";
export {
  type AuthDecision,
  Authenticator,
  type AuthenticatorOptions,
  type AuthRequest,
  type AuthVerdict,
  ZAP_ENDPOINT,
} from "./src/auth.ts";
export {
  type Certificate,
  loadCertificate,
  loadCertificateDirectory,
  saveCertificate,
} from "./src/certificates.ts";
export {
  Actor,
  ACTOR_TERM,
  type ActorFunction,
  type ActorOptions,
  isTermMessage,
  startActor,
} from "./src/actor.ts";
export { Proxy, type ProxyStatistics } from "./src/proxy.ts";
export { type SocketEvent, SocketEvents, type SocketEventType } from "./src/monitor.ts";
export { ReceivedMessage, whenReleased, zeroCopySendThreshold } from "./src/zero_copy.ts";
export type {
  MessageMetadata,
  MessageWithMetadata,
  MetadataReceiveOptions,
} from "./src/metadata.ts";
export {
  LazyPirateClient,
  type LazyPirateOptions,
  type LazyPirateRequestOptions,
  type LazyPirateStatistics,
} from "./src/lazy_pirate.ts";
export {
  type DeduplicatorStatistics,
  type IdempotentHandler,
  type IdempotentRequest,
  IdempotentServer,
  type IdempotentServerOptions,
  type IdempotentServerStatistics,
  RequestDeduplicator,
  type RequestDeduplicatorOptions,
} from "./src/deduplicator.ts";
export {
  poll,
  type Pollable,
  Poller,
  type PollInterest,
  type PollItem,
  type PollOptions,
  type PollReady,
} from "./src/poller.ts";
export {
  DEFAULT_HEARTBEAT_INTERVAL,
  DEFAULT_HEARTBEAT_LIVENESS,
  type HeartbeatOptions,
  MajordomoCommand,
  type MajordomoCommandCode,
  MDP_CLIENT,
  MDP_WORKER,
} from "./src/majordomo_protocol.ts";
export {
  MajordomoBroker,
  type MajordomoBrokerOptions,
  type MajordomoBrokerStatistics,
  type MajordomoServiceInfo,
} from "./src/majordomo_broker.ts";
export {
  type MajordomoHandler,
  type MajordomoRequest,
  MajordomoWorker,
  type MajordomoWorkerOptions,
  type MajordomoWorkerStatistics,
} from "./src/majordomo_worker.ts";
export {
  MajordomoClient,
  type MajordomoClientOptions,
  type MajordomoClientStatistics,
  type MajordomoReply,
  type MajordomoRequestOptions,
} from "./src/majordomo_client.ts";
export {
  Beacon,
  BEACON_DEFAULT_INTERVAL,
  BEACON_MAX_PAYLOAD,
  type BeaconInterface,
  type BeaconOptions,
  type BeaconPublishOptions,
  type BeaconSignal,
  type BeaconStatistics,
} from "./src/beacon.ts";
export {
  type AnnounceOptions,
  announceService,
  type Connectable,
  connectService,
  decodeAnnouncement,
  type DiscoveredService,
  encodeAnnouncement,
  type FindOptions,
  findService,
  SERVICE_ANNOUNCEMENT_PREFIX,
  type ServiceChange,
  ServiceDirectory,
  type ServiceDirectoryOptions,
  ServiceLink,
} from "./src/beacon_discovery.ts";
