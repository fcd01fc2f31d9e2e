"""The Lua scripts every payment ledger and the document register run in Redis.

One script per operation, so each operation's check, effect, ledger entry and
idempotency record happen in one atomic step: a crash or a retry can never see
half of one. Scripts validate everything before their first write, because
Redis does not roll back a script that fails half-way.

Conventions: KEYS[1] is the root of one provider (``keys.payments``) or of the
register (``keys.documents``); the scripts build the sub-keys of
``oms_actors/store/keys.py`` below it, all under the root's hash tag. Integers
travel as decimal strings both ways (``d``): Lua numbers are doubles and
Redis would format a large one as ``1e+13``, which HINCRBY refuses; amounts
stay below 2**53 (``MAX_AMOUNT_MINOR``), so the arithmetic is exact.

Ledger scripts answer a JSON envelope: ``{"ok": result, "attempt": n,
"replayed": "0"|"1"}`` or ``{"error": CODE, ...}`` (nothing written).
"""

from __future__ import annotations

_PRELUDE = r"""
local root = KEYS[1]
local function key(...) return root .. ':' .. table.concat({...}, ':') end
local function d(x) return string.format('%d', x) end
local function n(v) if v == nil or v == false or v == '' then return 0 end return tonumber(v) end
local function hash(k)
  local flat = redis.call('HGETALL', k)
  local t = {}
  for i = 1, #flat, 2 do t[flat[i]] = flat[i + 1] end
  return t
end
local function failed(code, fields)
  fields = fields or {}
  fields.error = code
  return cjson.encode(fields)
end
-- The stored answer when this key was seen with the same arguments; a conflict otherwise.
local function replay(op, ikey, fp)
  local field = op .. '|' .. ikey
  local raw = redis.call('HGET', key('idem'), field)
  if not raw then return nil end
  local rec = cjson.decode(raw)
  if rec.fp ~= fp then return failed('IDEMPOTENCY_CONFLICT') end
  local attempt = redis.call('HINCRBY', key('attempts'), field, 1)
  return cjson.encode({ok = rec.result, attempt = d(attempt), replayed = '1'})
end
local function done(op, ikey, fp, result)
  local field = op .. '|' .. ikey
  redis.call('HSET', key('idem'), field, cjson.encode({fp = fp, result = result}))
  local attempt = redis.call('HINCRBY', key('attempts'), field, 1)
  return cjson.encode({ok = result, attempt = d(attempt), replayed = '0'})
end
local function next_id(prefix, kind) return prefix .. '-' .. kind .. '-' .. d(redis.call('INCR', key('seq'))) end
local function event(...) redis.call('XADD', key('events'), '*', ...) end
"""

# ARGV: key, fingerprint, now, id prefix, customer, account, amount, currency,
#       expires ('' = never), mode, decline reason decided by the caller ('' = none),
#       credit limit ('' = no credit line), credit limit currency
AUTHORIZE = (
    _PRELUDE
    + r"""
local ikey, fp, now, prefix = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local customer, account, amount, cur = ARGV[5], ARGV[6], tonumber(ARGV[7]), ARGV[8]
local expires, mode, reason, limit, limit_cur = ARGV[9], ARGV[10], ARGV[11], ARGV[12], ARGV[13]
local hit = replay('authorize', ikey, fp)
if hit then return hit end
local acct = key('acct', account)
if reason == '' and mode == 'hold' then
  local a = hash(acct)
  if not a.currency then reason = 'unknown_account'
  elseif a.currency ~= cur then reason = 'currency_mismatch'
  elseif n(a.balance) < amount then reason = 'insufficient_funds' end
elseif reason == '' and mode == 'credit' then
  local a = hash(acct)
  if limit == '' then reason = 'no_credit_line'
  elseif limit_cur ~= cur or (a.currency and a.currency ~= cur) then reason = 'currency_mismatch'
  -- Exposure counts open receivables and uncaptured holds, so two orders cannot both use the same headroom.
  elseif tonumber(limit) - n(a.open) - n(a.held) < amount then reason = 'credit_limit_exceeded' end
end
local id = next_id(prefix, 'auth')
local state, authorized = 'approved', amount
if reason ~= '' then state, authorized = 'declined', 0 end
if state == 'approved' and mode == 'hold' then
  redis.call('HINCRBY', acct, 'balance', d(-amount))
  redis.call('HINCRBY', acct, 'held', d(amount))
elseif state == 'approved' and mode == 'credit' then
  redis.call('HSETNX', acct, 'currency', cur)
  redis.call('HINCRBY', acct, 'held', d(amount))
end
redis.call('HSET', key('auth', id), 'id', id, 'customer', customer, 'account', account, 'currency', cur,
  'requested', d(amount), 'authorized', d(authorized), 'captured', '0', 'voided', '0', 'refunded', '0',
  'state', state, 'reason', reason, 'expires', expires, 'created', now, 'mode', mode)
redis.call('ZADD', key('auths'), now, id)
event('type', 'authorize', 'ref', id, 'auth', id, 'amount', d(authorized), 'currency', cur, 'at', now)
return done('authorize', ikey, fp, {id = id, customer = customer, amount = d(amount), currency = cur,
  status = state, reason = reason, expires = expires, created = now})
"""
)

# ARGV: key, fingerprint, now, id prefix, authorization id, amount, currency, payment terms (ms)
CAPTURE = (
    _PRELUDE
    + r"""
local ikey, fp, now, prefix = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local auth_id, amount, cur, terms = ARGV[5], tonumber(ARGV[6]), ARGV[7], ARGV[8]
local hit = replay('capture', ikey, fp)
if hit then return hit end
local akey = key('auth', auth_id)
local a = hash(akey)
if not a.id then return failed('UNKNOWN_AUTHORIZATION') end
if a.currency ~= cur then return failed('CURRENCY_MISMATCH', {currency = a.currency}) end
if a.state ~= 'approved' then return failed('AUTHORIZATION_NOT_OPEN', {state = a.state}) end
if a.expires ~= '' and tonumber(now) >= tonumber(a.expires) then
  return failed('AUTHORIZATION_EXPIRED', {expires = a.expires})
end
local remaining = n(a.authorized) - n(a.captured) - n(a.voided)
if amount > remaining then return failed('EXCEEDS_AUTHORIZATION', {remaining = d(remaining)}) end
local id = next_id(prefix, 'cap')
redis.call('HINCRBY', akey, 'captured', d(amount))
redis.call('RPUSH', key('auth', auth_id, 'caps'), id)
redis.call('HSET', key('cap', id), 'id', id, 'auth', auth_id, 'amount', d(amount), 'refunded', '0',
  'currency', cur, 'created', now)
local acct = key('acct', a.account)
if a.mode == 'hold' then
  redis.call('HINCRBY', acct, 'held', d(-amount))
elseif a.mode == 'credit' then
  -- The hold becomes a receivable: the customer's exposure is unchanged until the invoice is paid.
  local due = d(tonumber(now) + tonumber(terms))
  redis.call('HINCRBY', acct, 'held', d(-amount))
  redis.call('HINCRBY', acct, 'open', d(amount))
  redis.call('HSET', key('recv', id), 'id', id, 'auth', auth_id, 'customer', a.customer, 'amount', d(amount),
    'paid', '0', 'credited', '0', 'open', d(amount), 'currency', cur, 'issued', now, 'due', due)
  redis.call('ZADD', key('open', a.customer), due, id)
  redis.call('ZADD', key('due'), due, id)
  redis.call('ZADD', key('recvs', a.customer), now, id)
end
event('type', 'capture', 'ref', id, 'auth', auth_id, 'amount', d(amount), 'currency', cur, 'at', now)
return done('capture', ikey, fp, {id = id, auth = auth_id, amount = d(amount), currency = cur, created = now})
"""
)

# ARGV: key, fingerprint, now, id prefix, authorization id
VOID = (
    _PRELUDE
    + r"""
local ikey, fp, now, prefix, auth_id = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local hit = replay('void', ikey, fp)
if hit then return hit end
local akey = key('auth', auth_id)
local a = hash(akey)
if not a.id then return failed('UNKNOWN_AUTHORIZATION') end
if a.state ~= 'approved' then return failed('AUTHORIZATION_NOT_OPEN', {state = a.state}) end
-- An expired authorisation may still be voided: that is how its hold is given back.
local remaining = n(a.authorized) - n(a.captured) - n(a.voided)
local id = next_id(prefix, 'void')
redis.call('HSET', akey, 'state', 'voided')
redis.call('HINCRBY', akey, 'voided', d(remaining))
local acct = key('acct', a.account)
if a.mode == 'hold' then
  redis.call('HINCRBY', acct, 'held', d(-remaining))
  redis.call('HINCRBY', acct, 'balance', d(remaining))
elseif a.mode == 'credit' then
  redis.call('HINCRBY', acct, 'held', d(-remaining))
end
event('type', 'void', 'ref', id, 'auth', auth_id, 'amount', d(remaining), 'currency', a.currency, 'at', now)
return done('void', ikey, fp, {id = id, auth = auth_id, amount = d(remaining), currency = a.currency, created = now})
"""
)

# ARGV: key, fingerprint, now, id prefix, capture id, amount, currency
REFUND = (
    _PRELUDE
    + r"""
local ikey, fp, now, prefix = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local cap_id, amount, cur = ARGV[5], tonumber(ARGV[6]), ARGV[7]
local hit = replay('refund', ikey, fp)
if hit then return hit end
local ckey = key('cap', cap_id)
local c = hash(ckey)
if not c.id then return failed('UNKNOWN_CAPTURE') end
if c.currency ~= cur then return failed('CURRENCY_MISMATCH', {currency = c.currency}) end
local refundable = n(c.amount) - n(c.refunded)
if amount > refundable then return failed('EXCEEDS_CAPTURE', {refundable = d(refundable)}) end
local a = hash(key('auth', c.auth))
local id = next_id(prefix, 'refund')
redis.call('HINCRBY', ckey, 'refunded', d(amount))
redis.call('HINCRBY', key('auth', c.auth), 'refunded', d(amount))
local acct = key('acct', a.account)
if a.mode == 'hold' then
  redis.call('HINCRBY', acct, 'balance', d(amount))
elseif a.mode == 'credit' then
  -- A credit note first reduces what is still owed; beyond that the customer is owed money back.
  local rkey = key('recv', cap_id)
  local open = n(redis.call('HGET', rkey, 'open'))
  local reduce = math.min(amount, open)
  redis.call('HINCRBY', rkey, 'credited', d(amount))
  redis.call('HINCRBY', rkey, 'open', d(-reduce))
  redis.call('HINCRBY', acct, 'open', d(-reduce))
  if open - reduce == 0 then
    redis.call('ZREM', key('open', a.customer), cap_id)
    redis.call('ZREM', key('due'), cap_id)
  end
end
event('type', 'refund', 'ref', id, 'auth', c.auth, 'amount', d(amount), 'currency', cur, 'at', now)
return done('refund', ikey, fp, {id = id, capture = cap_id, auth = c.auth, amount = d(amount), currency = cur,
  created = now})
"""
)

# ARGV: key, fingerprint, now, id prefix, account, amount, currency, customer, reason, must be new ('1'/'0')
CREDIT = (
    _PRELUDE
    + r"""
local ikey, fp, now, prefix = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local account, amount, cur, customer, reason, fresh = ARGV[5], tonumber(ARGV[6]), ARGV[7], ARGV[8], ARGV[9], ARGV[10]
local hit = replay('credit', ikey, fp)
if hit then return hit end
local acct = key('acct', account)
local cur_now = redis.call('HGET', acct, 'currency')
if fresh == '1' and cur_now then return failed('ACCOUNT_EXISTS') end
if cur_now and cur_now ~= cur then return failed('CURRENCY_MISMATCH', {currency = cur_now}) end
local id = next_id(prefix, 'credit')
redis.call('HSETNX', acct, 'currency', cur)
redis.call('HSETNX', acct, 'held', '0')
redis.call('HINCRBY', acct, 'balance', d(amount))
event('type', 'credit', 'ref', id, 'auth', '', 'amount', d(amount), 'currency', cur, 'at', now)
return done('credit', ikey, fp, {id = id, account = account, customer = customer, amount = d(amount),
  currency = cur, reason = reason, created = now})
"""
)

# ARGV: key, fingerprint, now, id prefix, amount, currency, then the capture ids of the
#       receivables it pays (one invoice's, in the order they are to be settled). One
#       payment may settle several receivables of one customer: all of it or none.
PAY = (
    _PRELUDE
    + r"""
local ikey, fp, now, prefix = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local amount, cur = tonumber(ARGV[5]), ARGV[6]
local hit = replay('pay', ikey, fp)
if hit then return hit end
local recs, open = {}, 0
for i = 7, #ARGV do
  local r = hash(key('recv', ARGV[i]))
  if not r.id then return failed('UNKNOWN_RECEIVABLE', {capture = ARGV[i]}) end
  if r.currency ~= cur then return failed('CURRENCY_MISMATCH', {currency = r.currency}) end
  if r.customer ~= (recs[1] or r).customer then return failed('MIXED_CUSTOMERS') end
  recs[#recs + 1] = r
  open = open + n(r.open)
end
if #recs == 0 then return failed('UNKNOWN_RECEIVABLE', {capture = ''}) end
if amount > open then return failed('EXCEEDS_OPEN', {open = d(open)}) end
local id = next_id(prefix, 'payment')
local left, parts = amount, {}
for _, r in ipairs(recs) do
  local part = math.min(left, n(r.open))
  if part > 0 then
    local rkey = key('recv', r.id)
    redis.call('HINCRBY', rkey, 'paid', d(part))
    redis.call('HINCRBY', rkey, 'open', d(-part))
    redis.call('HINCRBY', key('acct', r.customer), 'open', d(-part))
    if n(r.open) == part then
      redis.call('ZREM', key('open', r.customer), r.id)
      redis.call('ZREM', key('due'), r.id)
    end
    event('type', 'payment', 'ref', id, 'auth', r.auth, 'amount', d(part), 'currency', cur, 'at', now)
    parts[#parts + 1] = {capture = r.id, amount = d(part)}
    left = left - part
  end
end
return done('pay', ikey, fp, {id = id, capture = recs[1].id, customer = recs[1].customer, amount = d(amount),
  currency = cur, created = now, parts = parts})
"""
)

# KEYS[1]: the register's root.
# ARGV: kind, key, fingerprint, year, number prefix ("INV-2026-"), document JSON starting with
#       {"number":"" (the number goes there), total, currency, invoice credited ('' for an invoice),
#       then an invoice's capture ids (indexed to its number: a receivable names its invoice)
# Answers {"ok", number, document} or {"err", CODE, detail}.
WRITE_DOCUMENT = r"""
local root = KEYS[1]
local function key(...) return root .. ':' .. table.concat({...}, ':') end
local function d(x) return string.format('%d', x) end
local kind, ikey, fp, year, prefix, template = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4]), ARGV[5], ARGV[6]
local total, cur, invoice = tonumber(ARGV[7]), ARGV[8], ARGV[9]
local field = kind .. '|' .. ikey
local raw = redis.call('HGET', key('idem'), field)
if raw then
  local rec = cjson.decode(raw)
  if rec.fp ~= fp then return {'err', 'IDEMPOTENCY_CONFLICT', ''} end
  return {'ok', rec.number, redis.call('GET', key('doc', rec.number))}
end
local credited_after = nil
if invoice ~= '' then
  local state = redis.call('HGET', key('credited'), invoice)
  if not state then return {'err', 'UNKNOWN_INVOICE', ''} end
  local inv_total, inv_credited, inv_cur = string.match(state, '^(%d+)|(%d+)|(%u+)$')
  if inv_cur ~= cur then return {'err', 'CURRENCY_MISMATCH', inv_cur} end
  local creditable = tonumber(inv_total) - tonumber(inv_credited)
  if total > creditable then return {'err', 'EXCEEDS_INVOICE', d(creditable)} end
  credited_after = inv_total .. '|' .. d(tonumber(inv_credited) + total) .. '|' .. cur
end
-- Nothing below can fail, so a number is consumed exactly when its document is written.
local seq = redis.call('INCR', key('seq', kind, d(year)))
local number = string.format('%s%06d', prefix, seq)
local doc = '{"number":"' .. number .. '"' .. string.sub(template, 13)
redis.call('SET', key('doc', number), doc)
redis.call('ZADD', key('list', kind), d(year * 1000000000 + seq), number)
redis.call('HSET', key('idem'), field, cjson.encode({fp = fp, number = number}))
if invoice ~= '' then
  redis.call('HSET', key('credited'), invoice, credited_after)
else
  redis.call('HSET', key('credited'), number, d(total) .. '|0|' .. cur)
  for i = 10, #ARGV do redis.call('HSET', key('by_capture'), ARGV[i], number) end
end
return {'ok', number, doc}
"""
