// readlog.js prints, for every histogram of an interval log read with
// hdr-histogram-js's HistogramLogReader, one line:
//   TAG START_MS END_MS COUNT P99 MAX
// Run with: NODE_PATH=DIR/node_modules node readlog.js FILE
// (npm install hdr-histogram-js@3 into DIR; .ci/run does it for CI).
const fs = require("fs");
const hdr = require("hdr-histogram-js");

const reader = new hdr.HistogramLogReader(fs.readFileSync(process.argv[2], "utf8"));
let h;
while ((h = reader.nextIntervalHistogram()) !== null) {
  console.log([h.tag, h.startTimeStampMsec, h.endTimeStampMsec, h.totalCount,
    h.getValueAtPercentile(99), h.maxValue].join(" "));
}
