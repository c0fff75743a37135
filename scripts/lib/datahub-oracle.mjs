// @ts-check
// Provides DataHub's own Python SDK (PyPI `acryl-datahub`, pinned) in a project-local virtualenv, so tests can
// use it as an oracle for MCP shapes and DPI URNs. Installs on first use; later calls are instant.
import fs from 'node:fs';
import path from 'node:path';
import { info, SetupError } from './log.mjs';
import { run, which } from './process.mjs';

/** The `acryl-datahub` release the oracle runs (DataHub 1.7). */
export const ACRYL_DATAHUB_VERSION = '1.7.0.17';

/**
 * Absolute path of a python3 that can `import datahub` at the pinned version, installing it into
 * `<root>/.tools/datahub-venv` when needed.
 * @param {string} root repository root
 * @returns {string}
 */
export function ensureDataHubOracle(root) {
  const venv = path.join(root, '.tools', 'datahub-venv');
  const python = path.join(venv, 'bin', 'python');
  const stamp = path.join(venv, `.acryl-datahub-${ACRYL_DATAHUB_VERSION}`);
  if (fs.existsSync(stamp) && fs.existsSync(python)) return python;
  const system = which('python3') ?? which('python');
  if (!system) throw new SetupError('the DataHub oracle needs python3 with venv and pip (e.g. apt-get install python3-venv python3-pip).');
  info(`installing acryl-datahub==${ACRYL_DATAHUB_VERSION} (DataHub's Python SDK, the test oracle) into ${venv}`);
  if (!fs.existsSync(python) && run(system, ['-m', 'venv', venv]) !== 0) {
    throw new SetupError(`could not create a virtualenv at ${venv}: install python3-venv.`);
  }
  const pip = ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', `acryl-datahub==${ACRYL_DATAHUB_VERSION}`];
  if (run(python, pip) !== 0) {
    throw new SetupError(`pip could not install acryl-datahub==${ACRYL_DATAHUB_VERSION} into ${venv}: check access to PyPI.`);
  }
  fs.writeFileSync(stamp, '');
  return python;
}
