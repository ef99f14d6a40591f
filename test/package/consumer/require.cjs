// The same package from CommonJS (as tslab notebooks compile imports):
// Node 20.19+ loads the ESM package through require(). Prints one JSON line.
const tfe = require('tfjs-encrypted');
const tfeNode = require('tfjs-encrypted/node');

async function main() {
  const config = tfe.LocalConfig(['server0', 'server1', 'crypto-producer', 'inputter']);
  const prot = new tfe.protocol.Pond(config, { servers: ['server0', 'server1'], cryptoProducer: 'crypto-producer' });
  const x = prot.definePrivateInput('inputter', () => [1.5, -2.25, 3], { shape: [3] });
  const out = await prot.revealFloat64(x.mul(2).add(1));
  await config.close();
  return {
    values: Array.from(out.values),
    remoteConfig: typeof tfeNode.RemoteConfig.load,
    loadTfjs: typeof tfeNode.models.loadTfjs,
    sameProtocol: tfeNode.protocol.Pond === tfe.protocol.Pond,
    internals: ['ring', 'network'].filter((k) => k in tfe || k in tfeNode),
  };
}

main().then(
  (r) => console.log(JSON.stringify(r)),
  (e) => {
    console.error(e);
    process.exitCode = 1;
  },
);
