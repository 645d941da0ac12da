import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { expect } from 'chai';
import mongoose from 'mongoose';
import { Post } from '../../../models/post.ts';
import { addIdIndexes } from '../../../server/db/embedded/id-index.ts';
import { useTestApp } from '../../helpers/app.ts';
import { onlyOnEngine, testEngine } from '../../helpers/engine.ts';

describe('embedded engine: the index _id lookups use', () => {
  before(function () {
    onlyOnEngine(
      this,
      ['ferretdb'],
      "an index in FerretDB's own SQLite files; other engines have nothing to fix",
    );
  });
  const t = useTestApp();

  it('gives every collection an index on the expression FerretDB looks documents up by', () => {
    const engine = testEngine();
    const file = path.join(engine!.dataDir, `${mongoose.connection.name}.sqlite`);
    const db = new DatabaseSync(file, { readOnly: true });
    try {
      const table = (
        db
          .prepare('SELECT table_name FROM _ferretdb_collections WHERE name = ?')
          .get(Post.collection.name) as {
          table_name: string;
        }
      ).table_name;
      const plan = db
        .prepare(
          `EXPLAIN QUERY PLAN SELECT _ferretdb_sjson FROM "${table}" WHERE _ferretdb_sjson->'$._id' = ?`,
        )
        .all('"x"') as Array<{ detail: string }>;
      expect(plan.map((p) => p.detail).join(' ')).to.include(`USING INDEX ${table}_pp_id_lookup`);
      const collections = db.prepare('SELECT count(*) AS n FROM _ferretdb_collections').get() as {
        n: number;
      };
      const indexes = db
        .prepare(
          "SELECT count(*) AS n FROM sqlite_master WHERE type = 'index' AND name LIKE '%_pp_id_lookup'",
        )
        .get() as { n: number };
      expect(indexes.n, 'one per collection').to.equal(collections.n);
    } finally {
      db.close();
    }
    expect(
      addIdIndexes(mongoose.connection.port, mongoose.connection.name),
      'adding again adds nothing',
    ).to.equal(0);
    expect(t.databaseUri).to.be.a('string');
  });
});
