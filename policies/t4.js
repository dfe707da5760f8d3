let t=Date.now(); const lap=(l)=>{console.log(l, Date.now()-t); t=Date.now();};
const tsn=require("ts-node"); lap("require ts-node");
tsn.register({ typeCheck: true, compilerOptions: { target: "ES2020", module: "nodenext", moduleResolution: "nodenext", sourceMap: "true" } }); lap("register");
require("./loader").prepareLoader(__dirname); lap("loader");
require("@pulumi/pulumi"); lap("pulumi");
require("@pulumi/policy"); lap("policy");
require("./index.ts"); lap("pack index");
