/** The ARR controller's host name: its folder, its `httpSys`/`expectConnections` key, never a member's name. */
export const CONTROLLER_NAME = 'arr';
