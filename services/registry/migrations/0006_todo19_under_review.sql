-- Issue 19 (to-do lists): an application under review shows as such in qualifications_view
-- (the view kept 'applied' until the decision); rows of reviews started before this learn it
-- from the registry's own events.
UPDATE qualifications_view q SET status = 'under-review'
 WHERE q.status = 'applied' AND EXISTS (
   SELECT 1 FROM events e WHERE e.aggregate_id = q.qualification_id
   AND e.event_type = 'registry.QualificationReviewStarted');
