# Sourced by scripts/demo and scripts/test: defines `pnpm_` as the pinned pnpm (package.json "packageManager"),
# fetched from the npm registry with npx when no matching pnpm is on PATH. Needs only Node and npm.
PNPM_VERSION=$(node -p "require('./package.json').packageManager.split('@')[1]")
if command -v pnpm >/dev/null 2>&1 && [ "$(pnpm --version 2>/dev/null)" = "$PNPM_VERSION" ]; then
  pnpm_() { pnpm "$@"; }
else
  pnpm_() { npx --yes "pnpm@$PNPM_VERSION" "$@"; }
fi
