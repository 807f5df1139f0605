// The page's charts, drawn in the browser by Chart.js (its UMD build, inlined) from the
// data chart-data.ts puts beside them: one block per part of the report that has one.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** The two script elements that end the page; `data` is chartData's JSON. */
export function chartScripts(data: string): string {
  // The UMD build sits beside the package's entry point (it is not an export).
  const entry = createRequire(import.meta.url).resolve('chart.js');
  const chartJs = readFileSync(join(dirname(entry), 'chart.umd.min.js'), 'utf8');
  return `<script>${chartJs}</script>
<script>const d=${data};
const palette=['#1f77b4','#ff7f0e','#2ca02c','#d62728','#9467bd','#8c564b','#e377c2','#7f7f7f','#bcbd22','#17becf','#393b79','#637939','#8c6d31','#843c39','#7b4173'];
const base={responsive:true,maintainAspectRatio:false,animation:false};
const secs={type:'linear',min:0,title:{display:true,text:'seconds since the load started'}};
if(d.sales){const from0=(ys)=>[{x:0,y:0},...d.sales.t.map((t,i)=>({x:t,y:ys[i]}))];
new Chart(document.getElementById('sale'),{type:'line',data:{datasets:[
{label:'confirmed purchases/s (per '+d.sales.bucketSeconds+' s)',data:from0(d.sales.purchasesPerSecond),yAxisID:'y',borderColor:palette[0],backgroundColor:palette[0],pointRadius:0,stepped:'before'},
{label:'seats sold (cumulative)',data:from0(d.sales.seatsSold),yAxisID:'y1',borderColor:palette[2],backgroundColor:palette[2],pointRadius:0},
{label:'answered requests/s (all outcomes)',data:d.timeline.map((v,i)=>({x:i+1,y:v})),yAxisID:'y',borderColor:palette[7],backgroundColor:palette[7],pointRadius:0,borderDash:[4,4],hidden:true}]},
options:{...base,interaction:{mode:'nearest',axis:'x',intersect:false},scales:{x:secs,y:{beginAtZero:true,title:{display:true,text:'per second'}},y1:{beginAtZero:true,position:'right',grid:{drawOnChartArea:false},title:{display:true,text:'seats sold'}}}}});}
else{new Chart(document.getElementById('t'),{type:'line',data:{datasets:[{label:'completed requests/s',data:d.timeline.map((v,i)=>({x:i+1,y:v}))}]},options:{...base,scales:{x:secs,y:{beginAtZero:true}}}});}
if(d.cpu){const ds=d.cpu.sources.map((s,i)=>({label:s.label,data:d.cpu.samples.map(p=>({x:p.t,y:p.cores[s.label]??0})),fill:true,stack:'procs',pointRadius:0,borderWidth:1,borderColor:palette[i%palette.length],backgroundColor:palette[i%palette.length]+'99'}));
ds.push({label:'other processes (not in this run)',data:d.cpu.samples.map(p=>({x:p.t,y:Math.max(0,p.machine-Object.values(p.cores).reduce((a,b)=>a+b,0))})),fill:true,stack:'procs',pointRadius:0,borderWidth:1,borderColor:'#bbb',backgroundColor:'#dddddd99'});
ds.push({label:'machine busy',data:d.cpu.samples.map(p=>({x:p.t,y:p.machine})),stack:'machine',fill:false,pointRadius:0,borderColor:'#000',borderDash:[6,3]});
const ts=d.cpu.samples.map(p=>p.t);ds.push({label:'cores ('+d.cpu.cores+')',data:[{x:Math.min(0,...ts),y:d.cpu.cores},{x:Math.max(1,...ts),y:d.cpu.cores}],stack:'cap',fill:false,pointRadius:0,borderColor:'#b3261e',borderWidth:1});
new Chart(document.getElementById('cpu'),{type:'line',data:{datasets:ds},options:{...base,interaction:{mode:'nearest',axis:'x',intersect:false},scales:{x:secs,y:{stacked:true,beginAtZero:true,suggestedMax:d.cpu.cores,title:{display:true,text:'cores'}}}}});}
if(d.watch){const l=d.watch.latency;new Chart(document.getElementById('w'),{type:'bar',data:{labels:['p50','p90','p99','max','bound (p99)'],datasets:[{label:'ms',data:[l.p50Ms,l.p90Ms,l.p99Ms,l.maxMs,d.watch.boundMs],backgroundColor:[palette[0],palette[0],palette[0],palette[7],'#b3261e']}]},options:{...base,plugins:{legend:{display:false}}}});}
if(d.surge){const s=d.surge.timeline,pts=(ys)=>[{x:0,y:0},...s.t.map((t,i)=>({x:t,y:ys[i]}))];
new Chart(document.getElementById('admit'),{type:'line',data:{datasets:[
{label:'admitted/min, seen by buyers',data:pts(s.seenPerMinute),borderColor:palette[0],backgroundColor:palette[0],pointRadius:0,stepped:'before'},
{label:'admitted/min, due',data:pts(s.duePerMinute),borderColor:palette[2],backgroundColor:palette[2],pointRadius:0,stepped:'before',borderDash:[4,4]},
{label:'configured',data:[{x:0,y:d.surge.configured},{x:Math.max(1,...s.t),y:d.surge.configured}],borderColor:'#b3261e',pointRadius:0,borderWidth:1}]},
options:{...base,scales:{x:{type:'linear',min:0,title:{display:true,text:'seconds since the opening'}},y:{beginAtZero:true,title:{display:true,text:'admissions per minute'}}}}});}
if(d.soak){const S=d.soak.samples,W=d.soak.windows,MB=1048576,ids=[...new Set(S.flatMap(s=>Object.keys(s.replicas)))].sort();
const line=(label,pts,i,axis,dash)=>({label,data:pts,yAxisID:axis??'y',borderColor:palette[i%palette.length],backgroundColor:palette[i%palette.length],pointRadius:0,borderDash:dash??[]});
const opt=(y,y1)=>({...base,interaction:{mode:'nearest',axis:'x',intersect:false},scales:{x:secs,y:{beginAtZero:true,title:{display:true,text:y}},...(y1?{y1:{beginAtZero:true,position:'right',grid:{drawOnChartArea:false},title:{display:true,text:y1}}}:{})}});
new Chart(document.getElementById('soakRate'),{type:'line',data:{datasets:[line('confirmed purchases/s',W.map(w=>({x:w.t,y:w.purchasesPerSecond})),0),line('answered requests/s',W.map(w=>({x:w.t,y:w.answersPerSecond})),7,'y',[4,4]),line('p50 ms',W.map(w=>({x:w.t,y:w.p50Ms})),2,'y1'),line('p99 ms',W.map(w=>({x:w.t,y:w.p99Ms})),3,'y1')]},options:opt('per second','ms')});
new Chart(document.getElementById('soakMem'),{type:'line',data:{datasets:[...ids.flatMap((id,i)=>[line(id+' RSS',S.map(s=>({x:s.t,y:(s.replicas[id]?.rssBytes??NaN)/MB})),i),line(id+' heap used',S.map(s=>({x:s.t,y:(s.replicas[id]?.heapUsedBytes??NaN)/MB})),i,'y',[4,4])]),line('load generators RSS',S.map(s=>({x:s.t,y:s.generatorsRssBytes/MB})),8),line('harness heap used',S.map(s=>({x:s.t,y:s.harnessHeapUsedBytes/MB})),9,'y',[2,2]),line('Redis used_memory',S.map(s=>({x:s.t,y:s.redisUsedMemoryBytes===null?NaN:s.redisUsedMemoryBytes/MB})),4,'y',[6,3])]},options:opt('MB')});
new Chart(document.getElementById('soakConn'),{type:'line',data:{datasets:[line('PostgreSQL connections',S.map(s=>({x:s.t,y:s.pgConnections})),0),line('open seat streams',S.map(s=>({x:s.t,y:s.sseStreams})),1)]},options:opt('count')});}
d.faults.forEach((f,i)=>{const peak=Math.max(1,...f.series.perSecond);
new Chart(document.getElementById('fault'+i),{type:'line',data:{datasets:[
{label:'confirmed sales/s',data:[{x:0,y:0},...f.series.t.map((t,j)=>({x:t,y:f.series.perSecond[j]}))],borderColor:palette[0],backgroundColor:palette[0],pointRadius:0,stepped:'before'},
{label:'fault',data:[{x:f.times.faultStart,y:peak},{x:Math.max(f.times.faultEnd,f.times.faultStart+0.05),y:peak}],fill:'origin',borderColor:'#b3261e',backgroundColor:'#b3261e33',pointRadius:0}]},
options:{...base,scales:{x:{...secs,max:f.times.loadEnd},y:{beginAtZero:true,title:{display:true,text:'per second'}}}}});});
new Chart(document.getElementById('l'),{type:'bar',data:{labels:['p50','p90','p99'],datasets:[{label:'ms',data:d.percentiles}]},options:{...base,plugins:{legend:{display:false}}}});
const counts=d.outcomes.map(o=>o[1]);const logx=Math.max(...counts)>50*Math.min(...counts);
const others=palette.filter((_,i)=>i!==2);
new Chart(document.getElementById('o'),{type:'bar',data:{labels:d.outcomes.map(o=>o[0]+' ('+o[1]+')'),datasets:[{label:'requests',data:counts,backgroundColor:d.outcomes.map((o,i)=>o[0]==='ok'?'#1b7f3b':others[i%others.length])}]},
options:{...base,indexAxis:'y',plugins:{legend:{display:false}},scales:{x:logx?{type:'logarithmic',min:0.5,title:{display:true,text:'requests (log scale)'}}:{beginAtZero:true,title:{display:true,text:'requests'}},y:{ticks:{autoSkip:false}}}}});
</script>`;
}
