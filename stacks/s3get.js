"use strict";
// Reads one object and prints it (nothing when it does not exist): the program's synchronous read of the release
// record on an S3 backend (./release.ts runs this in a child process while the program starts). Input on stdin:
// {"bucket","key","region","endpoint","forcePathStyle","profile"}.
const { GetObjectCommand, S3Client } = require("@aws-sdk/client-s3");

let input = "";
process.stdin
  .on("data", (b) => (input += b))
  .on("end", async () => {
    const a = JSON.parse(input);
    const s3 = new S3Client({
      region: a.region,
      endpoint: a.endpoint,
      forcePathStyle: a.forcePathStyle,
      profile: a.profile,
    });
    try {
      const got = await s3.send(new GetObjectCommand({ Bucket: a.bucket, Key: a.key }));
      process.stdout.write(await got.Body.transformToString());
    } catch (err) {
      const code = err.$metadata?.httpStatusCode;
      if (code === 404 || err.name === "NoSuchKey") return;
      process.stderr.write(`${err.name}: ${err.message}`);
      process.exitCode = 1;
    }
  });
