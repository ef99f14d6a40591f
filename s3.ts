import * as tfe from 'tfjs-encrypted';
const config = tfe.LocalConfig(['server0', 'server1', 'crypto-producer', 'inputter'], { timeoutMs: 2000 });
const prot = new tfe.protocol.Pond(config, { servers: ['server0', 'server1'], cryptoProducer: 'crypto-producer' });
const x = prot.definePrivateInput('inputter', () => [-3, 2]);
const r = prot.msb(x);
try { console.log(await Promise.all(r.shares.map((s) => s.value()))); } catch (e) { console.log('ERR', (e as Error).message); }
try { await prot.flush(); } catch (e) { console.log('flush', (e as Error).message); }
