// Quantities for people: CPU in cores, memory in binary units (as Kubernetes writes them).

export function fmtCpu(millis: number): string {
  if (millis === 0) return '0';
  if (millis < 1000) return `${millis}m`;
  return String(Math.round(millis / 100) / 10);
}

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

export function fmtBytes(bytes: number): string {
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < UNITS.length - 1) {
    v /= 1024;
    u++;
  }
  return `${u === 0 || v >= 100 ? Math.round(v) : Math.round(v * 10) / 10} ${UNITS[u]}`;
}
