// What the tenant-scoped pages (park groups, directory) share: load on start and on a tenant change; an answer that
// arrives after the page was left or the tenant changed is dropped (load() compares its ticket with loadId).

export class TenantView {
  constructor(root, app) {
    this.root = root;
    this.app = app;
    this.loadId = 0;
  }

  start() {
    this.load();
  }

  tenantChanged() {
    this.load();
  }

  stop() {
    this.loadId++;
  }
}
