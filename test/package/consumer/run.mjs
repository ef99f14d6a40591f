// A program for `tfe run` in the fresh project: every player in its own
// process, through the installed package's built CLI. The result receiver
// prints the revealed product.
import * as tfe from 'tfjs-encrypted';

const config = tfe.LocalConfig(['server0', 'server1', 'crypto-producer', 'inputter', 'result-receiver']);
const prot = new tfe.protocol.Pond(config, { servers: ['server0', 'server1'], cryptoProducer: 'crypto-producer' });
const x = prot.definePrivateInput('inputter', () => [[1, 2], [3, 4]], { shape: [2, 2] });
const y = await prot.revealFloat64(x.matmul(x), 'result-receiver');
if (y !== undefined) console.log(`RESULT ${JSON.stringify(Array.from(y.values))}`);
