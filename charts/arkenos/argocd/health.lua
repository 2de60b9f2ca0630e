-- Argo CD health of an Arkenos resource (VoiceAgent, PhoneNumber, WorkerPool), read from its
-- Ready condition: True is Healthy, False is Degraded (the message says what is wrong, in
-- words), Unknown or absent is Progressing. A status older than the spec is Progressing too.
local health = {}
if obj.status ~= nil then
  local generation = obj.metadata.generation
  local observed = obj.status.observedGeneration
  if generation ~= nil and observed ~= nil and observed < generation then
    health.status = "Progressing"
    health.message = "Waiting for the operator to observe generation " .. generation
    return health
  end
  if obj.status.conditions ~= nil then
    for _, condition in ipairs(obj.status.conditions) do
      if condition.type == "Ready" then
        if condition.status == "True" then
          health.status = "Healthy"
        elseif condition.status == "False" then
          health.status = "Degraded"
        else
          health.status = "Progressing"
        end
        health.message = condition.message or condition.reason or ""
        return health
      end
    end
  end
end
health.status = "Progressing"
health.message = "Waiting for the Ready condition"
return health
