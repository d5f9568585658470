import { startFastTossFake } from './dist/presentation/bench/fast-toss-fake.js';
const f = await startFastTossFake({ rows: Number(process.argv[2]), pageSize: 5000, secretKey: 'test_sk_probe', soldDate: '2025-02-03' });
console.log(f.url);
setInterval(() => {}, 1000);
