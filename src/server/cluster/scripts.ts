/**
 * The cluster's state changes, each one Lua script so Redis runs it atomically: two
 * nodes racing for a name or a room ID get exactly one winner, and a presence event is
 * published in the same step as the change it reports (so every node sees changes in
 * the order Redis made them).
 *
 * Every script takes ARGV[1] = key prefix and ARGV[2] = the calling node's id. Keys:
 *   P users        hash  username -> node serving it
 *   P n:NODE       set   usernames served by NODE
 *   P nodes        zset  node -> lease expiry (ms, Redis clock)
 *   P rooms        hash  room -> owner (a username; ownership outlives the connection)
 *   P o:USER       set   rooms USER owns
 *   P m:ROOM       list  members in join order
 *   P u:USER       set   rooms USER is in
 * Channels: P r:ROOM (sharded, one per room), P ctl (control).
 *
 * Keys are built inside the scripts, so the state needs one Redis (a primary with
 * replicas is fine, Redis Cluster is not).
 */

/** Helpers every script starts with. Kinds match wire.ts. */
const PRELUDE = `
local P = ARGV[1]
local NODE = ARGV[2]
local function lp(s) return string.char(#s) .. s end
local function event(kind, room, user, old, origin)
  local msg = string.char(1, kind) .. lp(origin or NODE) .. lp(room) .. lp(user)
  if old then msg = msg .. lp(old) end
  redis.call('SPUBLISH', P .. 'r:' .. room, msg)
end
local function now()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
-- Frees a name and takes it out of every room, telling each room; origin: whose user it was.
local function dropUser(name, origin)
  local rooms = redis.call('SMEMBERS', P .. 'u:' .. name)
  for _, room in ipairs(rooms) do
    redis.call('LREM', P .. 'm:' .. room, 1, name)
    event(3, room, name, nil, origin)
  end
  redis.call('DEL', P .. 'u:' .. name)
  redis.call('HDEL', P .. 'users', name)
  return rooms
end
`;

const script = (body: string) => `${PRELUDE}\n${body}`;

/** ARGV[3] name. 1 when claimed, 0 when taken. */
export const ADD_USER = script(`
if redis.call('HSETNX', P .. 'users', ARGV[3], NODE) == 0 then return 0 end
redis.call('SADD', P .. 'n:' .. NODE, ARGV[3])
return 1
`);

/**
 * ARGV[3] from, ARGV[4] to. 1 renamed, 0 taken, -1 when `from` is not this node's user
 * (the node's view is stale: it resyncs).
 */
export const RENAME_USER = script(`
local from, to = ARGV[3], ARGV[4]
if redis.call('HGET', P .. 'users', from) ~= NODE then return -1 end
if from == to then return 1 end
if redis.call('HSETNX', P .. 'users', to, NODE) == 0 then return 0 end
redis.call('HDEL', P .. 'users', from)
redis.call('SREM', P .. 'n:' .. NODE, from)
redis.call('SADD', P .. 'n:' .. NODE, to)
if redis.call('EXISTS', P .. 'u:' .. from) == 1 then
  redis.call('RENAME', P .. 'u:' .. from, P .. 'u:' .. to)
  for _, room in ipairs(redis.call('SMEMBERS', P .. 'u:' .. to)) do
    local key = P .. 'm:' .. room
    local at = redis.call('LPOS', key, from)
    if at then redis.call('LSET', key, at, to) end
    event(4, room, to, from)
  end
end
-- Rooms owned by an earlier holder of 'to' stay the name's: merge, never overwrite.
for _, room in ipairs(redis.call('SMEMBERS', P .. 'o:' .. from)) do
  redis.call('HSET', P .. 'rooms', room, to)
  redis.call('SADD', P .. 'o:' .. to, room)
end
redis.call('DEL', P .. 'o:' .. from)
return 1
`);

/** ARGV[3] name. 1 removed, 0 when it was not this node's user (nothing touched). */
export const REMOVE_USER = script(`
local name = ARGV[3]
redis.call('SREM', P .. 'n:' .. NODE, name)
if redis.call('HGET', P .. 'users', name) ~= NODE then return 0 end
dropUser(name)
return 1
`);

/** ARGV[3] room, ARGV[4] owner, ARGV[5] maxRooms, ARGV[6] maxRoomsPerUser. A CreateResult status. */
export const CREATE_ROOM = script(`
local room, owner = ARGV[3], ARGV[4]
if redis.call('HEXISTS', P .. 'rooms', room) == 1 then return 'exists' end
if redis.call('HLEN', P .. 'rooms') >= tonumber(ARGV[5]) then return 'too-many-rooms' end
if redis.call('SCARD', P .. 'u:' .. owner) >= tonumber(ARGV[6]) then return 'user-full' end
redis.call('HSET', P .. 'rooms', room, owner)
redis.call('SADD', P .. 'o:' .. owner, room)
redis.call('RPUSH', P .. 'm:' .. room, owner)
redis.call('SADD', P .. 'u:' .. owner, room)
return 'created'
`);

/**
 * ARGV[3] room, ARGV[4] user, ARGV[5] maxMembers, ARGV[6] maxRoomsPerUser.
 * { JoinResult status, owner } (owner only when the room exists).
 */
export const JOIN_ROOM = script(`
local room, user = ARGV[3], ARGV[4]
local owner = redis.call('HGET', P .. 'rooms', room)
if not owner then return { 'missing' } end
local key = P .. 'm:' .. room
if redis.call('SISMEMBER', P .. 'u:' .. user, room) == 1 then return { 'already', owner } end
if redis.call('LLEN', key) >= tonumber(ARGV[5]) then return { 'full', owner } end
if redis.call('SCARD', P .. 'u:' .. user) >= tonumber(ARGV[6]) then return { 'user-full', owner } end
redis.call('RPUSH', key, user)
redis.call('SADD', P .. 'u:' .. user, room)
event(2, room, user)
return { 'joined', owner }
`);

/** ARGV[3] room, ARGV[4] user. A QuitResult status. */
export const QUIT_ROOM = script(`
local room, user = ARGV[3], ARGV[4]
if redis.call('HEXISTS', P .. 'rooms', room) == 0 then return 'missing' end
if redis.call('SREM', P .. 'u:' .. user, room) == 0 then return 'not-member' end
redis.call('LREM', P .. 'm:' .. room, 1, user)
event(3, room, user)
return 'left'
`);

/** ARGV[3] room, ARGV[4] requester. A DestroyResult status. */
export const DESTROY_ROOM = script(`
local room, requester = ARGV[3], ARGV[4]
local owner = redis.call('HGET', P .. 'rooms', room)
if not owner then return 'missing' end
if owner ~= requester then return 'not-owner' end
for _, member in ipairs(redis.call('LRANGE', P .. 'm:' .. room, 0, -1)) do
  redis.call('SREM', P .. 'u:' .. member, room)
end
redis.call('DEL', P .. 'm:' .. room)
redis.call('HDEL', P .. 'rooms', room)
redis.call('SREM', P .. 'o:' .. owner, room)
event(5, room, requester)
return 'destroyed'
`);

/** ARGV[3] room. The members in join order, or -1 when the room does not exist. */
export const MEMBERS = script(`
if redis.call('HEXISTS', P .. 'rooms', ARGV[3]) == 0 then return -1 end
return redis.call('LRANGE', P .. 'm:' .. ARGV[3], 0, -1)
`);

/** Every room and its member count, flat: room, count, room, count... (unsorted). */
export const LIST_ROOMS = script(`
local out = {}
for _, room in ipairs(redis.call('HKEYS', P .. 'rooms')) do
  out[#out + 1] = room
  out[#out + 1] = redis.call('LLEN', P .. 'm:' .. room)
end
return out
`);

/**
 * The heartbeat, ARGV[3] lease ms: renews this node's lease and, when ARGV[4] is '1',
 * reaps every node whose lease ran out (its users leave their rooms, each room told, as
 * if they disconnected).
 * { 1 when this node still had its lease (0: it was reaped or Redis lost it; resync),
 *   users reaped, the live nodes... }.
 */
export const HEARTBEAT = script(`
local t = now()
local had = redis.call('ZSCORE', P .. 'nodes', NODE)
redis.call('ZADD', P .. 'nodes', t + tonumber(ARGV[3]), NODE)
local reaped = 0
local expired = {}
if ARGV[4] == '1' then expired = redis.call('ZRANGEBYSCORE', P .. 'nodes', '-inf', t) end
for _, dead in ipairs(expired) do
  for _, name in ipairs(redis.call('SMEMBERS', P .. 'n:' .. dead)) do
    if redis.call('HGET', P .. 'users', name) == dead then
      dropUser(name, dead)
      reaped = reaped + 1
    end
  end
  redis.call('DEL', P .. 'n:' .. dead)
  redis.call('ZREM', P .. 'nodes', dead)
end
local out = { had and 1 or 0, reaped }
for _, node in ipairs(redis.call('ZRANGE', P .. 'nodes', 0, -1)) do out[#out + 1] = node end
return out
`);

/**
 * Makes Redis agree with this node's live state, after a reconnect or when Redis lost its
 * data: ARGV[3] lease ms, ARGV[4] JSON { users: [[name, [room...]]...], rooms: [[room,
 * owner]...] }. Users it no longer serves are removed (their rooms told); its users,
 * their memberships and the rooms they are in or own are asserted again (rooms created
 * when missing; caps are not applied, these already passed them). A name another node
 * took meanwhile is not taken back: the script returns such names, and the node drops
 * those connections.
 */
export const RESYNC = script(`
redis.call('ZADD', P .. 'nodes', now() + tonumber(ARGV[3]), NODE)
local state = cjson.decode(ARGV[4])
local owners = {}
for _, pair in ipairs(state.rooms) do owners[pair[1]] = pair[2] end
local live = {}
for _, entry in ipairs(state.users) do live[entry[1]] = true end
for _, name in ipairs(redis.call('SMEMBERS', P .. 'n:' .. NODE)) do
  if not live[name] then
    redis.call('SREM', P .. 'n:' .. NODE, name)
    if redis.call('HGET', P .. 'users', name) == NODE then dropUser(name) end
  end
end
local function ensureRoom(room)
  if redis.call('HEXISTS', P .. 'rooms', room) == 1 then return end
  local owner = owners[room]
  if not owner then return end
  redis.call('HSET', P .. 'rooms', room, owner)
  redis.call('SADD', P .. 'o:' .. owner, room)
end
local lost = {}
for _, entry in ipairs(state.users) do
  local name, rooms = entry[1], entry[2]
  local holder = redis.call('HGET', P .. 'users', name)
  if holder and holder ~= NODE then
    lost[#lost + 1] = name
  else
    redis.call('HSET', P .. 'users', name, NODE)
    redis.call('SADD', P .. 'n:' .. NODE, name)
    local want = {}
    for _, room in ipairs(rooms) do want[room] = true end
    for _, room in ipairs(redis.call('SMEMBERS', P .. 'u:' .. name)) do
      if not want[room] then
        redis.call('SREM', P .. 'u:' .. name, room)
        redis.call('LREM', P .. 'm:' .. room, 1, name)
        event(3, room, name)
      end
    end
    for _, room in ipairs(rooms) do
      ensureRoom(room)
      if redis.call('HEXISTS', P .. 'rooms', room) == 1
        and redis.call('SADD', P .. 'u:' .. name, room) == 1 then
        redis.call('RPUSH', P .. 'm:' .. room, name)
      end
    end
  end
end
for _, pair in ipairs(state.rooms) do ensureRoom(pair[1]) end
return lost
`);

/** A clean shutdown: this node's users leave (rooms told) and its lease goes. Users dropped. */
export const LEAVE_CLUSTER = script(`
local dropped = 0
for _, name in ipairs(redis.call('SMEMBERS', P .. 'n:' .. NODE)) do
  if redis.call('HGET', P .. 'users', name) == NODE then
    dropUser(name)
    dropped = dropped + 1
  end
end
redis.call('DEL', P .. 'n:' .. NODE)
redis.call('ZREM', P .. 'nodes', NODE)
return dropped
`);
