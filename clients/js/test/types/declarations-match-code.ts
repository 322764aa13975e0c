// index.d.ts against the code: `tsc --noEmit -p .` reads src/*.js (checkJs, typed from the code and its
// JSDoc) and index.d.ts (through the package's own name, as an application does), and fails here
// when they disagree. Never run, only type-checked.
import type * as Declared from '@callserver/sdk';
import * as Implemented from '../../src/index.js';

/** Compiles only when `Code` can be used where `Declaration` is declared. */
type Implements<Code extends Declaration, Declaration> = Code;
/** Compiles only when `Names` is empty. */
type NoneOf<Names extends never> = Names;
/** The public names of `Code` that `Declaration` lacks (`_name` members are the SDK's own). */
type Undeclared<Code, Declaration> = Exclude<keyof Code, keyof Declaration | `_${string}`>;

// Every declared export exists in the code with a compatible type (Call's constructor is the SDK's
// own: the declaration makes it private, so Call is compared by its instances below) …
export type Exports = Implements<Omit<typeof Implemented, 'Call'>, Omit<typeof Declared, 'Call'>>;
// … and the code exports nothing that is not declared.
export type ExtraExports = NoneOf<Undeclared<typeof Implemented, typeof Declared>>;

// Call and CallService: every declared member is there with a compatible type, and nothing public is undeclared.
export type Calls = Implements<Implemented.Call, Declared.Call>;
export type ExtraCallMembers = NoneOf<Undeclared<Implemented.Call, Declared.Call>>;
export type Services = Implements<Implemented.CallService, Declared.CallService>;
export type ExtraServiceMembers = NoneOf<Undeclared<Implemented.CallService, Declared.CallService>>;
export type ExtraServiceStatics = NoneOf<Undeclared<typeof Implemented.CallService, typeof Declared.CallService>>;
export type Errors = Implements<Implemented.CallError, Declared.CallError>;
export type ExtraErrorMembers = NoneOf<Undeclared<Implemented.CallError, Declared.CallError>>;
export type PushManagers = Implements<Implemented.PushManager, Declared.PushManager>;
export type ExtraPushManagerMembers = NoneOf<Undeclared<Implemented.PushManager, Declared.PushManager>>;
export type ExtraPushManagerStatics = NoneOf<Undeclared<typeof Implemented.PushManager, typeof Declared.PushManager>>;
export type CallHistories = Implements<Implemented.CallHistory, Declared.CallHistory>;
export type ExtraCallHistoryMembers = NoneOf<Undeclared<Implemented.CallHistory, Declared.CallHistory>>;
export type ExtraCallHistoryStatics = NoneOf<Undeclared<typeof Implemented.CallHistory, typeof Declared.CallHistory>>;
