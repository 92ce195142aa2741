export { type ClientEvents, type ClientOptions, MpcrpClient, type RoomMessage } from './client.js';
export { type ConnectOptions, connect } from './connect.js';
